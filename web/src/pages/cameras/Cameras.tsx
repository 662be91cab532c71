// Cameras: the list with each camera's last connection test, add / edit in a form, test, a current
// picture, PTZ presets for PTZ cameras, and delete (refused while a timeline uses the camera).
import { useRef, useState, useSyncExternalStore } from 'react';
import { api } from '../../api/client.ts';
import { ConfirmDialog, useConfirmation } from '../../components/ConfirmDialog.tsx';
import { DataTable, EditorCard, EmptyState, ListStates } from '../../components/ListPage.tsx';
import { EditDeleteActions } from '../../components/RowActions.tsx';
import { Button, ErrorNotice, Notice, PageHeader, Spinner, useLoad } from '../../components/ui.tsx';
import {
  describeVideo,
  lastTest,
  onTestsChanged,
  rememberTest,
  type Camera,
  type TestResult,
} from './camera-api.ts';
import { CameraForm } from './CameraForm.tsx';
import { Presets } from './Presets.tsx';
import { Snapshot } from './Snapshot.tsx';
import '../../components/forms.css';
import './cameras.css';

// After a save, the appliance's answer is what the editor shows (the list reloads meanwhile).
type Editing = { kind: 'new' } | { kind: 'edit'; id: number; saved?: Camera } | null;

const FAILURE_LABEL: Record<string, string> = {
  CAMERA_AUTH_FAILED: 'Wrong login',
  CAMERA_UNREACHABLE: 'Unreachable',
  CAMERA_NO_VIDEO: 'No video',
};

/** Re-renders when any camera's remembered test result changes. */
function useTestResults(): number {
  const version = useRef(0);
  return useSyncExternalStore(
    (notify) =>
      onTestsChanged(() => {
        version.current += 1;
        notify();
      }),
    () => version.current,
  );
}

function Status({ camera, testing }: { camera: Camera; testing: boolean }) {
  if (testing) return <Spinner label="Testing…" />;
  const result = lastTest(camera.id);
  if (!result)
    return (
      <span className="status">
        <span className="badge badge-idle">Not tested</span>
        {!camera.enabled ? <span className="badge badge-warn">Disabled</span> : null}
      </span>
    );
  return (
    <span className="status">
      {result.ok ? (
        <span className="badge badge-ok">Connected</span>
      ) : (
        <span className="badge badge-error">{FAILURE_LABEL[result.code] ?? 'Test failed'}</span>
      )}
      {!camera.enabled ? <span className="badge badge-warn">Disabled</span> : null}
      <small className="status-text">{result.ok ? describeVideo(result) : result.reason}</small>
    </span>
  );
}

export function Cameras() {
  const cameras = useLoad((signal) => api.get<Camera[]>('/api/cameras', signal));
  useTestResults();
  const [editing, setEditing] = useState<Editing>(null);
  const [testing, setTesting] = useState<ReadonlySet<number>>(new Set());
  const [notice, setNotice] = useState<string | null>(null);
  const [listError, setListError] = useState<unknown>(null);
  const removal = useConfirmation<Camera>();
  /** Counts saves: the form starts afresh from what was saved (no typed password stays in it). */
  const [saves, setSaves] = useState(0);

  const list = cameras.data ?? [];
  const current =
    editing?.kind === 'edit'
      ? (editing.saved ?? list.find((camera) => camera.id === editing.id) ?? null)
      : null;

  const test = async (camera: Camera): Promise<void> => {
    setTesting((set) => new Set(set).add(camera.id));
    setListError(null);
    try {
      rememberTest(camera.id, await api.post<TestResult>(`/api/cameras/${camera.id}/test`));
    } catch (failure) {
      setListError(failure);
    } finally {
      setTesting((set) => {
        const next = new Set(set);
        next.delete(camera.id);
        return next;
      });
    }
  };

  const testAll = async (): Promise<void> => {
    // One at a time: each test runs an ffprobe on a small appliance.
    for (const camera of list) await test(camera);
  };

  const remove = async (camera: Camera): Promise<void> => {
    await api.delete(`/api/cameras/${camera.id}`);
    rememberTest(camera.id, null);
    if (editing?.kind === 'edit' && editing.id === camera.id) setEditing(null);
    setNotice(`Camera “${camera.name}” deleted.`);
    cameras.reload();
  };

  return (
    <section className="cameras-page">
      <PageHeader title="Cameras">
        {list.length > 0 ? (
          <Button onClick={() => void testAll()} disabled={testing.size > 0}>
            Test all cameras
          </Button>
        ) : null}
        <Button
          variant="primary"
          onClick={() => {
            setNotice(null);
            setEditing({ kind: 'new' });
          }}
        >
          Add camera
        </Button>
      </PageHeader>

      <ErrorNotice error={cameras.error} />
      <ErrorNotice error={listError} onDismiss={() => setListError(null)} />
      {notice ? <Notice kind="success">{notice}</Notice> : null}

      <ListStates
        rows={cameras.data}
        loading={cameras.loading}
        loadingLabel="Loading cameras…"
        empty={
          editing === null ? (
            <EmptyState
              title="No cameras yet"
              actions={
                <Button variant="primary" onClick={() => setEditing({ kind: 'new' })}>
                  Add your first camera
                </Button>
              }
            >
              Add each IP camera with its stream address (RTSP). You find it in the camera’s manual or web
              page; it looks like <code>rtsp://192.168.1.20:554/stream1</code>.
            </EmptyState>
          ) : null
        }
      >
        {(rows) => (
          <DataTable
            className="cameras-table"
            columns={['Camera', 'Type', 'Stream address', 'Status', 'Actions']}
          >
            {rows.map((camera) => (
              <tr key={camera.id} className={current?.id === camera.id ? 'selected' : undefined}>
                <td>
                  <strong>{camera.name}</strong>
                </td>
                <td>{camera.camera_type === 'ptz' ? 'PTZ' : 'Stationary'}</td>
                <td className="address">
                  <code>{camera.stream_url}</code>
                </td>
                <td>
                  <Status camera={camera} testing={testing.has(camera.id)} />
                </td>
                <td>
                  <EditDeleteActions
                    name={camera.name}
                    onEdit={() => {
                      setNotice(null);
                      setEditing({ kind: 'edit', id: camera.id });
                    }}
                    onDelete={() => removal.ask(camera)}
                  >
                    <Button
                      onClick={() => void test(camera)}
                      disabled={testing.has(camera.id)}
                      aria-label={`Test ${camera.name}`}
                    >
                      Test
                    </Button>
                  </EditDeleteActions>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </ListStates>

      {editing !== null && (editing.kind === 'new' || current) ? (
        <div className="camera-editor">
          <EditorCard
            title={current ? `Edit “${current.name}”` : 'Add a camera'}
            revealKey={editing.kind === 'new' ? 'new' : editing.id}
          >
            <CameraForm
              key={current ? `${current.id}:${saves}` : 'new'}
              camera={current}
              cameras={list}
              onSaved={(saved) => {
                setNotice(current ? `Camera “${saved.name}” saved.` : `Camera “${saved.name}” added.`);
                // Stay on the camera: its picture and presets are next.
                setEditing({ kind: 'edit', id: saved.id, saved });
                setSaves((n) => n + 1);
                cameras.reload();
              }}
              onCancel={() => setEditing(null)}
            />
          </EditorCard>
          {current ? (
            <div className="camera-side">
              <Snapshot key={`${current.id}:${saves}`} cameraId={current.id} cameraName={current.name} />
              {current.camera_type === 'ptz' ? <Presets key={current.id} camera={current} /> : null}
            </div>
          ) : null}
        </div>
      ) : null}

      <ConfirmDialog
        title={`Delete camera “${removal.target?.name ?? ''}”?`}
        open={removal.target !== null}
        confirmLabel="Delete camera"
        busy={removal.busy}
        error={removal.error}
        onConfirm={() => void removal.confirm(remove)}
        onClose={removal.close}
      >
        <p>
          The camera’s settings and presets are removed from the appliance. The camera itself is not changed.
          A camera used by a timeline cannot be deleted: the appliance says which one.
        </p>
      </ConfirmDialog>
    </section>
  );
}
