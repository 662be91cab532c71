// Add or change a destination: pick the platform (fills its ingest server and says where the
// stream key is), name, server address, the stream key (write-only: only its mask comes back); for
// YouTube, optionally broadcasts through the YouTube Live API on a connected channel: the address
// and key then come from YouTube, so their fields give way to a read-only line saying so.
import { useState, type FormEvent } from 'react';
import { ApiError, api } from '../../api/client.ts';
import { SecretField, secretPatch, type SecretValue } from '../../components/SecretField.tsx';
import { CheckField, FormActions } from '../../components/forms.tsx';
import { Button, ErrorNotice, Field, useLoad } from '../../components/ui.tsx';
import {
  KEY_HELP,
  TEST_SECONDS,
  type Destination,
  type Platform,
  type PlatformPreset,
} from './destination-api.ts';
import { TestStatus, type TestState } from './DestinationTest.tsx';
import {
  YouTubeBroadcastFields,
  youtubeFormState,
  type YouTubeFormState,
} from './YouTubeBroadcastFields.tsx';
import type { YouTubeConnection } from './youtube-api.ts';

interface FormState {
  platform: Platform;
  name: string;
  server_url: string;
  stream_key: SecretValue;
  enabled: boolean;
  /** Hours as typed; empty: the platform's limit. */
  max_session_hours: string;
  youtube: YouTubeFormState;
}

/** The broadcast settings as the API takes them (null: a plain stream key). */
function youtubeBody(form: FormState): Record<string, unknown> | null {
  if (form.platform !== 'youtube' || !form.youtube.on) return null;
  const { on: _on, ...settings } = form.youtube;
  return settings;
}

/** Empty → null (the platform's); a number → that; anything else is sent as typed, for the
 *  appliance to name the problem at the field. */
function sessionHours(text: string): number | string | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const value = Number(trimmed.replace(',', '.'));
  return Number.isFinite(value) ? value : trimmed;
}

export function DestinationForm({
  destination,
  platforms,
  onSaved,
  onCancel,
  onTest,
  testState,
}: {
  /** null: a new destination. */
  destination: Destination | null;
  platforms: PlatformPreset[];
  /** Tests the saved destination (undefined: nothing saved yet, or the user may not test). */
  onTest?: (() => void) | undefined;
  testState?: TestState | undefined;
  onSaved: (destination: Destination) => void;
  onCancel: () => void;
}) {
  const [form, setForm] = useState<FormState>(() => ({
    platform: destination?.platform ?? 'youtube',
    name: destination?.name ?? '',
    server_url: destination?.server_url ?? platforms.find((p) => p.id === 'youtube')?.servers[0] ?? '',
    stream_key: { mode: 'keep', value: '' },
    enabled: destination?.enabled ?? true,
    max_session_hours:
      destination?.max_session_hours === null || destination === null
        ? ''
        : String(destination.max_session_hours),
    youtube: youtubeFormState(destination?.youtube ?? null, destination?.name ?? ''),
  }));
  const connections = useLoad((signal) => api.get<YouTubeConnection[]>('/api/youtube/connections', signal));
  const viaApi = form.platform === 'youtube' && form.youtube.on;
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const set = <K extends keyof FormState>(key: K, value: FormState[K]): void =>
    setForm((current) => ({ ...current, [key]: value }));

  const preset = platforms.find((p) => p.id === form.platform);
  const allServers = new Set(platforms.flatMap((p) => p.servers));
  const labelOf = (id: Platform): string => platforms.find((p) => p.id === id)?.label ?? id;

  const pick = (next: PlatformPreset): void => {
    // Errors belong to the fields shown: one about the previous platform's key or server is gone.
    setError(null);
    setForm((current) => ({
      ...current,
      platform: next.id,
      // A preset's server (or nothing yet) is replaced by the new platform's; a typed one is kept.
      server_url:
        current.server_url.trim() === '' || allServers.has(current.server_url.trim())
          ? (next.servers[0] ?? '')
          : current.server_url,
      // The same for the name: the previous platform's label becomes the new one's.
      name:
        current.name.trim() === '' || platforms.some((p) => p.label === current.name.trim())
          ? next.label
          : current.name,
    }));
  };

  const fieldError = (path: string): string | undefined =>
    error instanceof ApiError ? error.issueAt(path) : undefined;

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    // Through the YouTube API the address and key are YouTube's: the hidden fields are not sent.
    const key = viaApi ? undefined : secretPatch(form.stream_key);
    const server = viaApi ? (destination?.server_url ?? '') : form.server_url.trim();
    // A platform that needs a key gets one before anything is stored.
    const hasKey = key ? true : key === undefined && (destination?.has_stream_key ?? false);
    if (viaApi && form.youtube.connection_id === null) {
      setError(
        new ApiError(400, 'VALIDATION_FAILED', 'Choose the YouTube channel the broadcasts run on.', '', [
          { path: 'youtube.connection_id', message: 'choose a connected channel, or connect one' },
        ]),
      );
      return;
    }
    if (preset?.keyRequired && !hasKey && !viaApi) {
      setError(
        new ApiError(
          400,
          'VALIDATION_FAILED',
          `${preset.label} needs a stream key.`,
          KEY_HELP[form.platform],
          [{ path: 'stream_key', message: `is required for ${preset.label}` }],
        ),
      );
      return;
    }
    setSaving(true);
    setError(null);
    try {
      let saved: Destination;
      if (destination === null) {
        saved = await api.post<Destination>('/api/destinations', {
          name: form.name,
          platform: form.platform,
          ...(server === '' && form.platform !== 'custom' ? {} : { server_url: server }),
          ...(key ? { stream_key: key } : {}),
          enabled: form.enabled,
          max_session_hours: sessionHours(form.max_session_hours),
          ...(viaApi ? { youtube: youtubeBody(form) } : {}),
        });
      } else {
        saved = await api.patch<Destination>(`/api/destinations/${destination.id}`, {
          name: form.name,
          platform: form.platform,
          // The address read back may be masked: send it only when it was changed here.
          ...(server === destination.server_url ? {} : { server_url: server }),
          ...(key === undefined ? {} : { stream_key: key }),
          enabled: form.enabled,
          max_session_hours: sessionHours(form.max_session_hours),
          youtube: youtubeBody(form),
        });
      }
      onSaved(saved);
    } catch (failure) {
      setError(failure);
    } finally {
      setSaving(false);
    }
  };

  const listId = `servers-${destination?.id ?? 'new'}`;
  return (
    <form
      className="destination-form"
      onSubmit={(event) => void submit(event)}
      aria-label="Destination settings"
      noValidate
    >
      <fieldset className="platforms">
        <legend>Platform</legend>
        <div className="platform-choices">
          {platforms.map((choice) => (
            <label
              key={choice.id}
              className={`platform-choice${choice.id === form.platform ? ' chosen' : ''}`}
            >
              <input
                type="radio"
                name="platform"
                value={choice.id}
                checked={choice.id === form.platform}
                onChange={() => pick(choice)}
              />
              <span>{choice.label}</span>
            </label>
          ))}
        </div>
        {fieldError('platform') ? <small className="field-error">{fieldError('platform')}</small> : null}
      </fieldset>

      <div className="key-help" role="note" aria-label="Where to find the stream key">
        {viaApi ? (
          <>
            <strong>No stream key needed:</strong> the appliance creates the stream and its broadcasts on the
            connected channel through the YouTube API.
          </>
        ) : (
          <>
            <strong>Where is the stream key?</strong> {KEY_HELP[form.platform]}
          </>
        )}
        {preset?.maxDurationHours ? (
          <>
            {' '}
            {labelOf(form.platform)} ends a live video after {preset.maxDurationHours} hours; the appliance
            starts a new session shortly before that.
          </>
        ) : null}
      </div>

      <Field
        label="Name"
        value={form.name}
        onChange={(event) => set('name', event.target.value)}
        error={fieldError('name')}
        hint="What operators see when they go live, e.g. “Marina YouTube”."
        autoComplete="off"
        required
      />
      {viaApi ? (
        <div className="field set-by-youtube" role="group" aria-label="Server address and stream key">
          <span className="field-label">Server address and stream key</span>
          <p>
            <span className="badge badge-ok">Set by YouTube</span> The appliance sends to the ingestion
            address and stream key of the stream it creates on the connected channel; nothing to enter here.
          </p>
        </div>
      ) : (
        <>
          <Field
            label="Server address"
            value={form.server_url}
            onChange={(event) => set('server_url', event.target.value)}
            error={fieldError('server_url')}
            list={preset && preset.servers.length > 0 ? listId : undefined}
            placeholder={form.platform === 'custom' ? 'rtmp://stream.example.com/live' : undefined}
            spellCheck={false}
            autoComplete="off"
            hint={
              preset && preset.servers.length > 0
                ? `Filled in for ${preset.label}; leave it unless the platform gives you another one. Accepted: ${preset.schemes.map((s) => `${s}://`).join(', ')}.`
                : 'Starts with rtmp://, rtmps:// or srt://.'
            }
          />
          {preset && preset.servers.length > 0 ? (
            <datalist id={listId}>
              {preset.servers.map((server) => (
                <option key={server} value={server} />
              ))}
            </datalist>
          ) : null}
          <SecretField
            label="Stream key"
            stored={destination?.has_stream_key ?? false}
            storedText={destination?.stream_key_masked ?? undefined}
            secret={form.stream_key}
            onChange={(next) => set('stream_key', next)}
            error={fieldError('stream_key')}
            hint="Paste it from the platform. It is stored encrypted; afterwards only its last characters are shown."
            autoComplete="off"
          />
        </>
      )}
      {form.platform === 'youtube' ? (
        <YouTubeBroadcastFields
          state={form.youtube}
          // Turned on with no title yet: the destination's name is a fair start.
          onChange={(next) =>
            set(
              'youtube',
              next.on && !form.youtube.on && next.title === '' ? { ...next, title: form.name } : next,
            )
          }
          connections={connections.data}
          onConnectionsChanged={connections.reload}
          fieldError={fieldError}
        />
      ) : null}
      <Field
        label="Max session hours"
        value={form.max_session_hours}
        onChange={(event) => set('max_session_hours', event.target.value)}
        error={fieldError('max_session_hours')}
        inputMode="decimal"
        placeholder={preset?.maxDurationHours ? String(preset.maxDurationHours) : 'no limit'}
        autoComplete="off"
        hint={`Empty: ${
          preset?.maxDurationHours
            ? `${labelOf(form.platform)}’s own limit, ${preset.maxDurationHours} hours`
            : 'no limit'
        }. A little before it the appliance starts a new session for this destination only (a break of a few seconds). 0: never.`}
      />
      <CheckField checked={form.enabled} onChange={(checked) => set('enabled', checked)}>
        Enabled (offered when you go live)
      </CheckField>

      <ErrorNotice error={error} />
      {onTest && destination ? (
        <div className="destination-form-test">
          <Button onClick={onTest} busy={testState?.kind === 'running'}>
            Test the saved destination
          </Button>
          <small className="hint">Sends {TEST_SECONDS} s of test pattern with the settings saved last.</small>
          <TestStatus name={destination.name} state={testState} />
        </div>
      ) : null}
      <FormActions
        submitLabel={destination === null ? 'Save destination' : 'Save changes'}
        busy={saving}
        onCancel={onCancel}
      />
    </form>
  );
}
