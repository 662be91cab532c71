// A YouTube destination's broadcasts through the YouTube Live API: the connected channel (or
// connecting one), and the broadcast's title, description, privacy, latency, DVR, whether YouTube
// starts it by itself, and whether a new broadcast starts before 12 hours so every hour is archived.
import { useId, useState } from 'react';
import { api } from '../../api/client.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import type { YouTubeBroadcastSettings } from '../../../../src/domain/schemas.ts';
import { CheckField } from '../../components/forms.tsx';
import { Button, Field, SelectField } from '../../components/ui.tsx';
import { YouTubeConnect } from './YouTubeConnect.tsx';
import type { YouTubeConnection } from './youtube-api.ts';

export interface YouTubeFormState {
  on: boolean;
  connection_id: number | null;
  title: string;
  description: string;
  privacy: YouTubeBroadcastSettings['privacy'];
  latency: YouTubeBroadcastSettings['latency'];
  dvr: boolean;
  auto_start: boolean;
  keep_archive: boolean;
}

export function youtubeFormState(settings: YouTubeBroadcastSettings | null, name: string): YouTubeFormState {
  return {
    on: settings !== null,
    connection_id: settings?.connection_id ?? null,
    title: settings?.title ?? name,
    description: settings?.description ?? '',
    privacy: settings?.privacy ?? 'public',
    latency: settings?.latency ?? 'normal',
    dvr: settings?.dvr ?? true,
    auto_start: settings?.auto_start ?? false,
    keep_archive: settings?.keep_archive ?? false,
  };
}

const PRIVACY_LABEL: Record<YouTubeFormState['privacy'], string> = {
  public: 'Public — anyone can find and watch',
  unlisted: 'Unlisted — only people with the link',
  private: 'Private — only you',
};
const LATENCY_LABEL: Record<YouTubeFormState['latency'], string> = {
  normal: 'Normal — best picture, about 20 s behind',
  low: 'Low — about 7 s behind',
  ultraLow: 'Ultra low — a few seconds behind, no 4K, no DVR on some channels',
};

export function YouTubeBroadcastFields({
  state,
  onChange,
  connections,
  onConnectionsChanged,
  fieldError,
}: {
  state: YouTubeFormState;
  onChange: (next: YouTubeFormState) => void;
  connections: YouTubeConnection[] | null;
  onConnectionsChanged: () => void;
  fieldError: (path: string) => string | undefined;
}) {
  const [connecting, setConnecting] = useState(false);
  const [disconnecting, setDisconnecting] = useState(false);
  const [disconnectBusy, setDisconnectBusy] = useState(false);
  const [disconnectError, setDisconnectError] = useState<unknown>(null);
  const set = <K extends keyof YouTubeFormState>(key: K, value: YouTubeFormState[K]): void =>
    onChange({ ...state, [key]: value });
  const descriptionId = useId();
  const chosen = connections?.find((connection) => connection.id === state.connection_id) ?? null;
  const usable = (connections ?? []).filter((connection) => connection.revokedAt === null);
  const descriptionError = fieldError('youtube.description');

  const disconnect = async (): Promise<void> => {
    if (!chosen) return;
    setDisconnectBusy(true);
    setDisconnectError(null);
    try {
      await api.post(`/api/youtube/connections/${chosen.id}/disconnect`, {});
      setDisconnecting(false);
      onConnectionsChanged();
    } catch (failure) {
      setDisconnectError(failure);
    } finally {
      setDisconnectBusy(false);
    }
  };

  return (
    <fieldset className="youtube-broadcast">
      <legend>YouTube broadcasts</legend>
      <CheckField checked={state.on} onChange={(on) => set('on', on)}>
        Manage broadcasts through the YouTube API
      </CheckField>
      <small className="hint">
        The appliance creates each broadcast on your channel with the settings below, goes live when the
        picture arrives, and starts a new broadcast if YouTube ends one. No stream key is needed.
      </small>
      {state.on ? (
        <div className="youtube-broadcast-fields">
          <div className="youtube-channel">
            <SelectField
              label="Channel"
              value={state.connection_id === null ? '' : String(state.connection_id)}
              onChange={(event) =>
                set('connection_id', event.target.value === '' ? null : Number(event.target.value))
              }
              error={fieldError('youtube.connection_id')}
              hint={
                usable.length === 0
                  ? 'No channel is connected yet: connect one.'
                  : 'A channel connected earlier.'
              }
            >
              <option value="">Choose a connected channel…</option>
              {usable.map((connection) => (
                <option key={connection.id} value={connection.id}>
                  {connection.label}
                </option>
              ))}
              {chosen && chosen.revokedAt !== null ? (
                <option value={chosen.id}>{chosen.label} (needs reconnecting)</option>
              ) : null}
            </SelectField>
            {chosen && chosen.revokedAt !== null ? (
              <p className="youtube-reconnect" role="alert">
                <span className="badge badge-error">Needs reconnecting</span> “{chosen.label}” was
                disconnected ({chosen.revokedReason ?? 'access revoked'}). Connect the channel again.
              </p>
            ) : chosen ? (
              <p className="youtube-connected">
                <span className="badge badge-ok">Connected</span> {chosen.label}
                <Button
                  variant="danger"
                  onClick={() => {
                    setDisconnectError(null);
                    setDisconnecting(true);
                  }}
                >
                  Disconnect
                </Button>
              </p>
            ) : null}
            {!connecting ? (
              <Button onClick={() => setConnecting(true)}>
                {chosen && chosen.revokedAt !== null ? 'Connect the channel again' : 'Connect a channel'}
              </Button>
            ) : null}
          </div>
          {connecting ? (
            <YouTubeConnect
              reconnect={chosen && chosen.revokedAt !== null ? chosen.id : undefined}
              onConnected={(connection) => {
                onChange({ ...state, connection_id: connection.id });
                onConnectionsChanged();
              }}
              onClose={() => setConnecting(false)}
            />
          ) : null}
          <Field
            label="Broadcast title"
            value={state.title}
            onChange={(event) => set('title', event.target.value)}
            error={fieldError('youtube.title')}
            maxLength={100}
            hint="What viewers see on YouTube (at most 100 characters)."
            autoComplete="off"
          />
          <div className={`field${descriptionError ? ' field-invalid' : ''}`}>
            <label htmlFor={descriptionId}>Description</label>
            <textarea
              id={descriptionId}
              value={state.description}
              rows={3}
              maxLength={5000}
              onChange={(event) => set('description', event.target.value)}
              aria-invalid={descriptionError ? true : undefined}
            />
            {descriptionError ? <small className="field-error">{descriptionError}</small> : null}
          </div>
          <SelectField
            label="Privacy"
            value={state.privacy}
            onChange={(event) => set('privacy', event.target.value as YouTubeFormState['privacy'])}
            error={fieldError('youtube.privacy')}
          >
            {Object.entries(PRIVACY_LABEL).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </SelectField>
          <SelectField
            label="Latency"
            value={state.latency}
            onChange={(event) => set('latency', event.target.value as YouTubeFormState['latency'])}
            error={fieldError('youtube.latency')}
          >
            {Object.entries(LATENCY_LABEL).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </SelectField>
          <CheckField checked={state.dvr} onChange={(dvr) => set('dvr', dvr)}>
            DVR (viewers can rewind while live)
          </CheckField>
          <CheckField checked={state.auto_start} onChange={(autoStart) => set('auto_start', autoStart)}>
            Start by itself (YouTube goes live as soon as the picture arrives)
          </CheckField>
          <CheckField checked={state.keep_archive} onChange={(keep) => set('keep_archive', keep)}>
            Keep archives (start a new broadcast before 12 hours: YouTube does not archive longer ones)
          </CheckField>
        </div>
      ) : null}
      <ConfirmDialog
        title={`Disconnect “${chosen?.label ?? ''}”?`}
        open={disconnecting}
        confirmLabel="Disconnect channel"
        busy={disconnectBusy}
        error={disconnectError}
        onConfirm={() => void disconnect()}
        onClose={() => setDisconnecting(false)}
      >
        <p>
          The appliance asks Google to forget its access to this channel. Destinations that broadcast on it
          {chosen && chosen.destinationIds.length > 1
            ? ` (${chosen.destinationIds.length} of them)`
            : ''}{' '}
          need the channel connected again before they can go live. It is refused while a show on air uses it.
        </p>
      </ConfirmDialog>
    </fieldset>
  );
}
