// The Google OAuth client the appliance connects YouTube channels with (type "TV and limited-input
// devices", the operator's own). The secret is write-only: once saved only "set" is shown, and
// saving a changed client id needs the secret again.
import { useState, type FormEvent } from 'react';
import { ApiError, api } from '../../api/client.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { FormActions } from '../../components/forms.tsx';
import { Button, ErrorNotice, Field, Notice } from '../../components/ui.tsx';

export interface YouTubeClientSetting {
  client_id: string;
  /** Always the mask "****". */
  client_secret: string;
}

const SETTING_URL = '/api/settings/youtube.oauth_client';

export function YouTubeClientCard({
  client,
  onChanged,
}: {
  client: YouTubeClientSetting | null;
  onChanged: () => void;
}) {
  const [clientId, setClientId] = useState(client?.client_id ?? '');
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [clearing, setClearing] = useState(false);
  const [clearBusy, setClearBusy] = useState(false);
  const [clearError, setClearError] = useState<unknown>(null);

  const save = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await api.put(SETTING_URL, { value: { client_id: clientId.trim(), client_secret: secret.trim() } });
      setSecret('');
      setNotice('Google client saved: YouTube channels can be connected in Destinations.');
      onChanged();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const clear = async (): Promise<void> => {
    setClearBusy(true);
    setClearError(null);
    try {
      await api.put(SETTING_URL, { value: null });
      setClientId('');
      setNotice('Google client removed.');
      setClearing(false);
      onChanged();
    } catch (failure) {
      setClearError(failure);
    } finally {
      setClearBusy(false);
    }
  };

  const issue = (field: string): string | undefined =>
    error instanceof ApiError ? error.issueAt(`value.${field}`) : undefined;
  return (
    <section className="card" aria-labelledby="settings-youtube">
      <h2 id="settings-youtube">YouTube</h2>
      <p className="hint">
        To run broadcasts through the YouTube Live API, the appliance signs in to your channel with your own
        Google client. In the Google Cloud console (console.cloud.google.com): create a project, enable the{' '}
        <strong>YouTube Data API v3</strong>, set up the OAuth consent screen, then under Credentials create
        an <strong>OAuth client ID</strong> of type <strong>TV and limited-input devices</strong>. Copy its
        client ID and client secret here, then connect the channel in Destinations.
      </p>
      {client ? (
        <div className="webhook-current">
          <span className="badge badge-ok">Set</span>
          <span>
            Client <code>{client.client_id}</code>, secret stored
          </span>
          <Button
            variant="danger"
            onClick={() => {
              setClearError(null);
              setClearing(true);
            }}
          >
            Remove client
          </Button>
        </div>
      ) : (
        <p className="webhook-current">
          <span className="badge badge-idle">Not set</span> YouTube destinations use a stream key only.
        </p>
      )}
      <form className="settings-form" onSubmit={(event) => void save(event)} noValidate>
        <Field
          label="Client ID"
          value={clientId}
          onChange={(event) => setClientId(event.target.value)}
          error={issue('client_id')}
          placeholder="1234567890-abc.apps.googleusercontent.com"
          spellCheck={false}
          autoComplete="off"
        />
        <Field
          label="Client secret"
          type="password"
          value={secret}
          onChange={(event) => setSecret(event.target.value)}
          error={issue('client_secret')}
          autoComplete="new-password"
          hint={
            client
              ? 'The saved secret is never shown. Enter it again to save a change.'
              : 'Stored encrypted; never shown again.'
          }
        />
        <ErrorNotice error={error} />
        {notice ? <Notice kind="success">{notice}</Notice> : null}
        <FormActions
          submitLabel="Save Google client"
          busy={busy}
          submitDisabled={clientId.trim() === '' || secret.trim() === ''}
        />
      </form>

      <ConfirmDialog
        title="Remove the Google client?"
        open={clearing}
        confirmLabel="Remove client"
        busy={clearBusy}
        error={clearError}
        onConfirm={() => void clear()}
        onClose={() => setClearing(false)}
      >
        <p>
          Connected channels can no longer be reached, so YouTube destinations managed through the API fail
          their pre-flight check until a client is entered again.
        </p>
      </ConfirmDialog>
    </section>
  );
}
