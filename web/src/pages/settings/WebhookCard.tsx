// Where alerts are sent (a webhook: Slack, Teams, ntfy, a phone gateway…). Its address can hold a
// secret, so the appliance shows only its origin once saved; it can be replaced or cleared.
import { useState, type FormEvent } from 'react';
import { ApiError, api } from '../../api/client.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { FormActions } from '../../components/forms.tsx';
import { Button, ErrorNotice, Field, Notice } from '../../components/ui.tsx';

export interface WebhookSetting {
  /** The origin only, e.g. "https://hooks.example.com/…". */
  url: string;
  enabled: boolean;
}

export function WebhookCard({
  webhook,
  onChanged,
}: {
  webhook: WebhookSetting | null;
  onChanged: () => void;
}) {
  const [url, setUrl] = useState('');
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
      await api.put('/api/settings/alerts.webhook', { value: { url: url.trim(), enabled: true } });
      setUrl('');
      setNotice('Webhook saved: new alerts are sent to it.');
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
      await api.put('/api/settings/alerts.webhook', { value: null });
      setNotice('Webhook removed: alerts are only shown in the control room and the history.');
      setClearing(false);
      onChanged();
    } catch (failure) {
      setClearError(failure);
    } finally {
      setClearBusy(false);
    }
  };

  const issue =
    error instanceof ApiError ? (error.issueAt('value.url') ?? error.issueAt('value')) : undefined;
  return (
    <section className="card" aria-labelledby="settings-webhook">
      <h2 id="settings-webhook">Alert webhook</h2>
      <p className="hint">
        When something goes wrong (a camera offline, a destination failing), the appliance posts the alert
        with its remediation to this address — for example a Slack or Teams incoming webhook, or an ntfy
        topic.
      </p>
      {webhook ? (
        <div className="webhook-current">
          <span className="badge badge-ok">Set</span>
          <span>
            Alerts go to <code data-testid="webhook-masked">{webhook.url}</code>
            {webhook.enabled ? '' : ' (paused)'}
          </span>
          <Button
            variant="danger"
            onClick={() => {
              setClearError(null);
              setClearing(true);
            }}
          >
            Clear webhook
          </Button>
        </div>
      ) : (
        <p className="webhook-current">
          <span className="badge badge-idle">Not set</span> Alerts are only shown in the control room and the
          history.
        </p>
      )}
      <form className="settings-form" onSubmit={(event) => void save(event)} noValidate>
        <Field
          label={webhook ? 'New webhook address' : 'Webhook address'}
          type="url"
          value={url}
          onChange={(event) => setUrl(event.target.value)}
          error={issue}
          placeholder="https://hooks.slack.com/services/…"
          spellCheck={false}
          autoComplete="off"
          hint={
            webhook
              ? 'The saved address is partly hidden because it may contain a secret. Enter a new one to replace it.'
              : 'The full address from your chat or alerting service, starting with https://.'
          }
        />
        <ErrorNotice error={error} />
        {notice ? <Notice kind="success">{notice}</Notice> : null}
        <FormActions submitLabel="Save webhook" busy={busy} submitDisabled={url.trim() === ''} />
      </form>

      <ConfirmDialog
        title="Clear the alert webhook?"
        open={clearing}
        confirmLabel="Clear webhook"
        busy={clearBusy}
        error={clearError}
        onConfirm={() => void clear()}
        onClose={() => setClearing(false)}
      >
        <p>
          Alerts will no longer be sent anywhere; they are still shown in the control room and the history.
        </p>
      </ConfirmDialog>
    </section>
  );
}
