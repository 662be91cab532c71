// Cameras: the list with each camera's state in the running show (else its last connection test),
// add / edit in a form, test, a current picture, PTZ presets for PTZ cameras, and delete (refused
// while a timeline uses the camera). Admins change cameras; others look at the picture and presets.
import { useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import { useLive } from '../../app/live-context.ts';
import { useCan } from '../../app/session.ts';
import { api } from '../../api/client.ts';
import { ConfirmDialog, useConfirmation } from '../../components/ConfirmDialog.tsx';
import { DataTable, EditorCard, EmptyState, ListStates } from '../../components/ListPage.tsx';
import { EditDeleteActions, RowActions } from '../../components/RowActions.tsx';
import {
  Button,
  ErrorNotice,
  forgetItem,
  Notice,
  PageHeader,
  Spinner,
  useLoad,
} from '../../components/ui.tsx';
import {
  describeVideo,
  lastTest,
  onTestsChanged,
  rememberTest,
  type Camera,
  type TestResult,
} from './camera-api.ts';
import { CameraForm } from './CameraForm.tsx';
import { cameraLiveState } from './live-state.ts';
import { Presets } from './Presets.tsx';
import { Snapshot } from './Snapshot.tsx';
import '../../components/forms.css';
import './cameras.css';

// After a save, the appliance's answer is what the editor shows (the list reloads meanwhile).
type Editing =
  | { kind: 'new' }
  | { kind: 'edit'; id: number; saved?: Camera }
  /** Someone who may not change cameras looks at one's picture and presets. */
  | { kind: 'view'; id: number }
  | null;

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

/** The last connection test in a few words, or null when the camera was not tested. */
function testSummary(result: TestResult | undefined): { badge: ReactNode; text: string } | null {
  if (!result) return null;
  return result.ok
    ? { badge: <span className="badge badge-ok">Connected</span>, text: describeVideo(result) }
    : {
        badge: <span className="badge badge-error">{FAILURE_LABEL[result.code] ?? 'Test failed'}</span>,
        text: result.reason,
      };
}

function Status({ camera, testing }: { camera: Camera; testing: boolean }) {
  const live = cameraLiveState(useLive().state, camera.id);
  if (testing) return <Spinner label="Testing…" />;
  const tested = testSummary(lastTest(camera.id));
  const disabled = !camera.enabled ? <span className="badge badge-warn">Disabled</span> : null;
  if (live) {
    // While a show runs, what the camera does on air comes first; the last test is secondary.
    const last = lastTest(camera.id);
    return (
      <span className="status">
        <span className={`badge badge-${live.badge}`}>{live.label}</span>
        {disabled}
        {live.detail ? <small className="status-text">{live.detail}</small> : null}
        {last ? (
          <small className="status-text status-secondary">
            Last test: {last.ok ? `connected, ${describeVideo(last)}` : last.reason}
          </small>
        ) : null}
      </span>
    );
  }
  if (!tested)
    return (
      <span className="status">
        <span className="badge badge-idle">Not tested</span>
        {disabled}
      </span>
    );
  return (
    <span className="status">
      {tested.badge}
      {disabled}
      <small className="status-text">{tested.text}</small>
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
  const canChange = useCan('admin');

  const list = cameras.data ?? [];
  const current =
    editing?.kind === 'edit'
      ? (editing.saved ?? list.find((camera) => camera.id === editing.id) ?? null)
      : editing?.kind === 'view'
        ? (list.find((camera) => camera.id === editing.id) ?? null)
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
    forgetItem(cameras, camera.id);
  };

  return (
    <section className="cameras-page">
      <PageHeader title="Cameras">
        {canChange && list.length > 0 ? (
          <Button onClick={() => void testAll()} disabled={testing.size > 0}>
            Test all cameras
          </Button>
        ) : null}
        {canChange ? (
          <Button
            variant="primary"
            onClick={() => {
              setNotice(null);
              setEditing({ kind: 'new' });
            }}
          >
            Add camera
          </Button>
        ) : null}
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
                canChange ? (
                  <Button variant="primary" onClick={() => setEditing({ kind: 'new' })}>
                    Add your first camera
                  </Button>
                ) : null
              }
            >
              {canChange ? (
                <>
                  Add each IP camera with its stream address (RTSP). You find it in the camera’s manual or web
                  page; it looks like <code>rtsp://192.168.1.20:554/stream1</code>.
                </>
              ) : (
                'An admin adds the cameras.'
              )}
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
                  {canChange ? (
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
                  ) : (
                    <RowActions>
                      <Button
                        onClick={() => setEditing({ kind: 'view', id: camera.id })}
                        aria-label={`${camera.camera_type === 'ptz' ? 'Picture and presets' : 'Picture'} of ${camera.name}`}
                      >
                        {camera.camera_type === 'ptz' ? 'Picture and presets' : 'Picture'}
                      </Button>
                    </RowActions>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </ListStates>

      {editing?.kind === 'view' && current ? (
        <div className="camera-viewer">
          <EditorCard title={current.name} revealKey={`view:${current.id}`}>
            <div className="camera-side">
              <Snapshot key={current.id} cameraId={current.id} cameraName={current.name} />
              {current.camera_type === 'ptz' ? <Presets key={current.id} camera={current} /> : null}
            </div>
            <Button onClick={() => setEditing(null)}>Close</Button>
          </EditorCard>
        </div>
      ) : null}

      {canChange && editing !== null && editing.kind !== 'view' && (editing.kind === 'new' || current) ? (
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
