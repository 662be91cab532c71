// Add or change a camera: its stream address (with an example of the RTSP format), credentials
// (write-only), PTZ/ONVIF settings, backup camera; "Test connection" works before saving too.
import { useState, type FormEvent } from 'react';
import { ApiError, api } from '../../api/client.ts';
import { SecretField, secretPatch, type SecretValue } from '../../components/SecretField.tsx';
import { CheckField, FormActions } from '../../components/forms.tsx';
import { Button, ErrorNotice, Field, SelectField } from '../../components/ui.tsx';
import { rememberTest, type Camera, type CameraType, type TestResult } from './camera-api.ts';
import { TestOutcome } from './TestOutcome.tsx';

interface FormState {
  name: string;
  stream_url: string;
  username: string;
  password: SecretValue;
  camera_type: CameraType;
  onvif_url: string;
  onvif_username: string;
  onvif_password: SecretValue;
  backup_camera_id: string;
  enabled: boolean;
  /** Seconds as typed; empty: the default. */
  ptz_settle_seconds: string;
}

/** How long a camera takes to reach a preset unless told (src/domain/schemas.ts). */
const DEFAULT_SETTLE_SECONDS = 3;

/** Empty → null (the default); a number → that; anything else as typed, for the field error. */
function settleSeconds(text: string): number | string | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const value = Number(trimmed.replace(',', '.'));
  return Number.isFinite(value) ? value : trimmed;
}

const KEEP: SecretValue = { mode: 'keep', value: '' };

function initialState(camera: Camera | null): FormState {
  return {
    name: camera?.name ?? '',
    stream_url: camera?.stream_url ?? '',
    username: camera?.username ?? '',
    password: KEEP,
    camera_type: camera?.camera_type ?? 'stationary',
    onvif_url: camera?.onvif_url ?? '',
    onvif_username: camera?.onvif_username ?? '',
    onvif_password: KEEP,
    backup_camera_id: camera?.backup_camera_id ? String(camera.backup_camera_id) : '',
    enabled: camera?.enabled ?? true,
    ptz_settle_seconds:
      camera?.ptz_settle_seconds === null || camera === null ? '' : String(camera.ptz_settle_seconds),
  };
}

/** The ONVIF address most cameras answer at, on the host of the stream address. */
function onvifGuess(streamUrl: string): string | null {
  if (!URL.canParse(streamUrl.trim())) return null;
  const host = new URL(streamUrl.trim()).hostname;
  return host ? `http://${host.includes(':') ? `[${host}]` : host}/onvif/device_service` : null;
}

const orNull = (text: string): string | null => (text.trim() === '' ? null : text.trim());

export function CameraForm({
  camera,
  cameras,
  onSaved,
  onCancel,
}: {
  /** null: a new camera. */
  camera: Camera | null;
  /** All cameras (the backup choices). */
  cameras: Camera[];
  onSaved: (camera: Camera) => void;
  onCancel: () => void;
}) {
  const [form, setForm] = useState<FormState>(() => initialState(camera));
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [testing, setTesting] = useState(false);
  const [test, setTest] = useState<TestResult | null>(null);
  const [testError, setTestError] = useState<unknown>(null);
  const set = <K extends keyof FormState>(key: K, value: FormState[K]): void => {
    setForm((current) => ({ ...current, [key]: value }));
    // A result is about the settings it tested: changing them makes it stale.
    if (key === 'stream_url' || key === 'username' || key === 'password') setTest(null);
  };

  const issue = (path: string): string | undefined =>
    (saveError instanceof ApiError ? saveError.issueAt(path) : undefined) ??
    (testError instanceof ApiError ? testError.issueAt(path) : undefined);
  const isPtz = form.camera_type === 'ptz';

  const body = () => {
    const common = {
      name: form.name,
      stream_url: form.stream_url.trim(),
      username: orNull(form.username),
      camera_type: form.camera_type,
      backup_camera_id: form.backup_camera_id === '' ? null : Number(form.backup_camera_id),
      enabled: form.enabled,
    };
    const onvif = {
      onvif_url: orNull(form.onvif_url),
      onvif_username: orNull(form.onvif_username),
      ptz_settle_seconds: settleSeconds(form.ptz_settle_seconds),
    };
    if (camera === null) {
      const password = secretPatch(form.password);
      const onvifPassword = secretPatch(form.onvif_password);
      return {
        ...common,
        ...(password ? { password } : {}),
        ...(isPtz ? { ...onvif, ...(onvifPassword ? { onvif_password: onvifPassword } : {}) } : {}),
      };
    }
    const password = secretPatch(form.password);
    const onvifPassword = secretPatch(form.onvif_password);
    return {
      ...common,
      ...(password === undefined ? {} : { password }),
      ...onvif,
      ...(onvifPassword === undefined ? {} : { onvif_password: onvifPassword }),
    };
  };

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setSaving(true);
    setSaveError(null);
    try {
      const saved =
        camera === null
          ? await api.post<Camera>('/api/cameras', body())
          : await api.patch<Camera>(`/api/cameras/${camera.id}`, body());
      // A result from before a change of address says nothing about the new one.
      if (test !== null) rememberTest(saved.id, test);
      else if (camera !== null && !unchangedConnection) rememberTest(saved.id, null);
      onSaved(saved);
    } catch (failure) {
      setSaveError(failure);
    } finally {
      setSaving(false);
    }
  };

  /** The saved camera is tested by id (its stored password); typed-in settings as they are. */
  const unchangedConnection =
    camera !== null &&
    form.stream_url.trim() === camera.stream_url &&
    (orNull(form.username) ?? null) === camera.username &&
    form.password.mode === 'keep';
  const needsPassword =
    camera !== null && camera.has_password && form.password.mode === 'keep' && !unchangedConnection;

  const runTest = async (): Promise<void> => {
    setTesting(true);
    setTest(null);
    setTestError(null);
    try {
      const result = unchangedConnection
        ? await api.post<TestResult>(`/api/cameras/${camera.id}/test`)
        : await api.post<TestResult>('/api/cameras/test', {
            stream_url: form.stream_url.trim(),
            username: orNull(form.username),
            password: form.password.mode === 'replace' ? orNull(form.password.value) : null,
          });
      setTest(result);
      if (unchangedConnection) rememberTest(camera.id, result);
    } catch (failure) {
      setTestError(failure);
    } finally {
      setTesting(false);
    }
  };

  const guess = onvifGuess(form.stream_url);
  const backups = cameras.filter((other) => other.id !== camera?.id);
  const testFieldErrors = testError instanceof ApiError && testError.issues.length > 0;

  return (
    <form
      className="camera-form"
      onSubmit={(event) => void submit(event)}
      aria-label="Camera settings"
      noValidate
    >
      <Field
        label="Name"
        value={form.name}
        onChange={(event) => set('name', event.target.value)}
        error={issue('name')}
        hint="What operators see, e.g. “Dock” or “Harbour wide”."
        required
        autoComplete="off"
      />
      <Field
        label="Stream address"
        value={form.stream_url}
        onChange={(event) => set('stream_url', event.target.value)}
        error={issue('stream_url')}
        placeholder="rtsp://192.168.1.20:554/stream1"
        spellCheck={false}
        autoComplete="off"
        required
        hint={
          <>
            The camera’s RTSP address from its manual or web page: <code>rtsp://</code>, the camera’s IP
            address, an optional <code>:port</code> (554 when left out) and the stream path — for example{' '}
            <code>rtsp://192.168.1.20:554/stream1</code>. RTSPS, RTMP, HTTP and SRT addresses work too. Put
            the user name and password in the fields below, not in the address.
          </>
        }
      />
      <div className="form-row">
        <Field
          label="User name"
          value={form.username}
          onChange={(event) => set('username', event.target.value)}
          error={issue('username')}
          autoComplete="off"
          hint="The camera’s login (often “admin”). Leave empty if it has none."
        />
        <SecretField
          label="Password"
          stored={camera?.has_password ?? false}
          secret={form.password}
          onChange={(next) => set('password', next)}
          error={issue('password')}
        />
      </div>
      <div className="form-row">
        <SelectField
          label="Camera type"
          value={form.camera_type}
          onChange={(event) => set('camera_type', event.target.value as CameraType)}
          error={issue('camera_type')}
        >
          <option value="stationary">Stationary (fixed view)</option>
          <option value="ptz">PTZ (pan, tilt, zoom over ONVIF)</option>
        </SelectField>
        <SelectField
          label="Backup camera"
          value={form.backup_camera_id}
          onChange={(event) => set('backup_camera_id', event.target.value)}
          error={issue('backup_camera_id')}
          hint="Shown instead when this camera fails on air."
        >
          <option value="">None</option>
          {backups.map((other) => (
            <option key={other.id} value={other.id}>
              {other.name}
            </option>
          ))}
        </SelectField>
      </div>
      {isPtz ? (
        <fieldset className="onvif">
          <legend>PTZ control (ONVIF)</legend>
          <Field
            label="ONVIF address"
            value={form.onvif_url}
            onChange={(event) => set('onvif_url', event.target.value)}
            error={issue('onvif_url')}
            placeholder="http://192.168.1.20/onvif/device_service"
            spellCheck={false}
            autoComplete="off"
            hint={
              <>
                Usually <code>http://&lt;camera IP&gt;/onvif/device_service</code> (some cameras use port 8000
                or 8080: <code>http://192.168.1.20:8000/onvif/device_service</code>). ONVIF must be switched
                on in the camera’s web page.
              </>
            }
          />
          {form.onvif_url.trim() === '' && guess ? (
            <Button className="onvif-guess" onClick={() => set('onvif_url', guess)}>
              Use {guess}
            </Button>
          ) : null}
          <div className="form-row">
            <Field
              label="ONVIF user name"
              value={form.onvif_username}
              onChange={(event) => set('onvif_username', event.target.value)}
              error={issue('onvif_username')}
              autoComplete="off"
              hint="Often the same as the camera’s login."
            />
            <SecretField
              label="ONVIF password"
              stored={camera?.has_onvif_password ?? false}
              secret={form.onvif_password}
              onChange={(next) => set('onvif_password', next)}
              error={issue('onvif_password')}
            />
          </div>
          <Field
            label="PTZ settle time (seconds)"
            value={form.ptz_settle_seconds}
            onChange={(event) => set('ptz_settle_seconds', event.target.value)}
            error={issue('ptz_settle_seconds')}
            inputMode="decimal"
            placeholder={String(DEFAULT_SETTLE_SECONDS)}
            autoComplete="off"
            hint={`How long before a cue with a preset the camera is sent there, so it has stopped moving when it goes on air. Empty: ${DEFAULT_SETTLE_SECONDS} s. Raise it for a slow camera or long moves.`}
          />
        </fieldset>
      ) : null}
      <CheckField checked={form.enabled} onChange={(checked) => set('enabled', checked)}>
        Enabled (a disabled camera is not used by shows)
      </CheckField>

      <ErrorNotice error={saveError} />
      {testError && !testFieldErrors ? <ErrorNotice error={testError} /> : null}
      {testing ? (
        <p className="test-running" role="status">
          <span className="spinner" aria-hidden="true" /> Connecting to the camera (this can take up to 10
          seconds)…
        </p>
      ) : null}
      {test ? <TestOutcome result={test} /> : null}
      {needsPassword && !testing ? (
        <p className="hint">
          To test changed settings before saving, type the password again (the stored one is never sent back
          to this page) — or save first and test then.
        </p>
      ) : null}

      <FormActions
        submitLabel={camera === null ? 'Save camera' : 'Save changes'}
        busy={saving}
        onCancel={onCancel}
        cancelLabel={camera === null ? 'Cancel' : 'Close'}
      >
        <Button onClick={() => void runTest()} busy={testing} disabled={form.stream_url.trim() === ''}>
          Test connection
        </Button>
      </FormActions>
    </form>
  );
}
