// PTZ presets of one camera over ONVIF: the stored list, capture where the camera points now as a
// new preset, move the camera to one, forget one, import the presets the camera already has.
import { useState, type FormEvent } from 'react';
import { ApiError, api } from '../../api/client.ts';
import { ConfirmDialog, useConfirmation } from '../../components/ConfirmDialog.tsx';
import { DataTable, ListStates } from '../../components/ListPage.tsx';
import { RowActions } from '../../components/RowActions.tsx';
import { Button, ErrorNotice, Field, Notice, useLoad } from '../../components/ui.tsx';
import { useCan } from '../../app/session.ts';
import type { Camera, Preset, SyncResult } from './camera-api.ts';

function where(preset: Preset): string {
  if (preset.pan === null || preset.tilt === null) return preset.preset_token ? 'stored in the camera' : '—';
  const zoom = preset.zoom === null ? '' : `, zoom ${preset.zoom.toFixed(2)}`;
  return `pan ${preset.pan.toFixed(2)}, tilt ${preset.tilt.toFixed(2)}${zoom}`;
}

export function Presets({ camera }: { camera: Camera }) {
  const presets = useLoad(
    (signal) => api.get<Preset[]>(`/api/cameras/${camera.id}/presets`, signal),
    [camera.id],
  );
  const [name, setName] = useState('');
  /** What is running: 'capture', 'sync', `goto:<id>` (a deletion: `forget.busy`). */
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState<string | null>(null);
  const forget = useConfirmation<Preset>();
  /** Framing shots is show work (operator); a viewer reads the list. */
  const canFrame = useCan('operator');
  /** One thing at a time: the other buttons wait. */
  const working = busy !== null || forget.busy;

  const act = async (what: string, action: () => Promise<string>): Promise<boolean> => {
    setBusy(what);
    setError(null);
    setMessage(null);
    try {
      setMessage(await action());
      return true;
    } catch (failure) {
      setError(failure);
      return false;
    } finally {
      setBusy(null);
    }
  };

  const capture = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const ok = await act('capture', async () => {
      const created = await api.post<Preset>(`/api/cameras/${camera.id}/presets`, {
        name: name.trim(),
        capture: true,
      });
      presets.reload();
      return `Preset “${created.name}” saved: the camera will return to this view when a timeline or “Go to” asks for it.`;
    });
    if (ok) setName('');
  };

  const sync = () =>
    act('sync', async () => {
      const result = await api.post<SyncResult>(`/api/cameras/${camera.id}/ptz/sync`);
      presets.reload();
      const imported = result.imported.length;
      const skipped = result.skipped.map((skip) => `“${skip.name}” (${skip.reason})`);
      return `${imported === 0 ? 'No new presets' : `${imported} preset${imported === 1 ? '' : 's'}`} imported from the camera.${
        skipped.length > 0 ? ` Skipped: ${skipped.join(', ')}.` : ''
      }`;
    });

  const goTo = (preset: Preset) =>
    act(`goto:${preset.id}`, async () => {
      await api.post(`/api/cameras/${camera.id}/presets/${preset.id}/goto`, {});
      return `The camera is moving to “${preset.name}”.`;
    });

  const remove = async (preset: Preset): Promise<void> => {
    await api.delete(`/api/cameras/${camera.id}/presets/${preset.id}`);
    setMessage(`Preset “${preset.name}” removed.`);
    presets.reload();
  };

  const nameError = error instanceof ApiError ? error.issueAt('name') : undefined;

  return (
    <section className="card presets" aria-labelledby={`presets-${camera.id}`}>
      <div className="card-title">
        <h2 id={`presets-${camera.id}`}>PTZ presets</h2>
        {canFrame ? (
          <Button onClick={() => void sync()} busy={busy === 'sync'} disabled={working}>
            Import presets from the camera
          </Button>
        ) : null}
      </div>
      <p className="hint">
        A preset is a saved camera position (pan, tilt, zoom) that a timeline can move the camera to. Point
        the camera with its own app or web page, then capture the view here.
      </p>
      {canFrame && !camera.onvif_url ? (
        <Notice kind="warning">
          This camera has no ONVIF address yet: enter it under “PTZ control (ONVIF)” and save, then capture
          presets.
        </Notice>
      ) : null}

      {canFrame ? (
        <form className="preset-capture" onSubmit={(event) => void capture(event)}>
          <Field
            label="New preset name"
            value={name}
            onChange={(event) => setName(event.target.value)}
            error={nameError}
            hint="Letters, digits and _ . : - (timelines refer to it), e.g. dock_wide."
            autoComplete="off"
          />
          <Button
            type="submit"
            variant="primary"
            busy={busy === 'capture'}
            disabled={working || name.trim() === ''}
          >
            Capture current position
          </Button>
        </form>
      ) : null}

      <ErrorNotice error={error} onDismiss={() => setError(null)} />
      {message ? <Notice kind="success">{message}</Notice> : null}

      <ErrorNotice error={presets.error} />
      <ListStates
        rows={presets.data}
        loading={presets.loading}
        loadingLabel="Loading presets…"
        empty={
          <p className="empty">
            No presets yet. Capture one above, or import the ones the camera already has.
          </p>
        }
      >
        {(list) => (
          <DataTable columns={['Preset', 'Position', ...(canFrame ? ['Actions'] : [])]}>
            {list.map((preset) => (
              <tr key={preset.id}>
                <td>
                  <strong>{preset.name}</strong>
                </td>
                <td className="muted">{where(preset)}</td>
                {canFrame ? (
                  <td>
                    <RowActions>
                      <Button
                        onClick={() => void goTo(preset)}
                        busy={busy === `goto:${preset.id}`}
                        disabled={working}
                        aria-label={`Go to preset ${preset.name}`}
                      >
                        Go to
                      </Button>
                      <Button
                        variant="danger"
                        onClick={() => forget.ask(preset)}
                        disabled={working}
                        aria-label={`Delete preset ${preset.name}`}
                      >
                        Delete
                      </Button>
                    </RowActions>
                  </td>
                ) : null}
              </tr>
            ))}
          </DataTable>
        )}
      </ListStates>

      <ConfirmDialog
        title={`Delete preset “${forget.target?.name ?? ''}”?`}
        open={forget.target !== null}
        confirmLabel="Delete preset"
        busy={forget.busy}
        error={forget.error}
        onConfirm={() => void forget.confirm(remove)}
        onClose={forget.close}
      >
        <p>
          The appliance forgets this preset; the camera keeps its own copy. Timelines that move the camera to
          “{forget.target?.name}” will no longer find it.
        </p>
      </ConfirmDialog>
    </section>
  );
}
