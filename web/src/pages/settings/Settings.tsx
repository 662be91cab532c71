// Settings: your password, API tokens, the alert webhook (masked once saved), the appliance's
// name and time zone.
import { api } from '../../api/client.ts';
import { ErrorNotice, PageHeader, Spinner, useLoad } from '../../components/ui.tsx';
import { ApplianceCard } from './ApplianceCard.tsx';
import { PasswordCard } from './PasswordCard.tsx';
import { TokensCard } from './TokensCard.tsx';
import { WebhookCard, type WebhookSetting } from './WebhookCard.tsx';
import '../../components/forms.css';
import './settings.css';

interface SettingsAnswer {
  'appliance.name'?: string | null;
  'appliance.timezone'?: string | null;
  'alerts.webhook'?: WebhookSetting | null;
}

export function Settings() {
  const settings = useLoad((signal) => api.get<SettingsAnswer>('/api/settings', signal));
  const data = settings.data;
  return (
    <section className="settings-page">
      <PageHeader title="Settings" />
      <div className="settings-grid">
        <div className="settings-column">
          <PasswordCard />
          <TokensCard />
        </div>
        <div className="settings-column">
          <ErrorNotice error={settings.error} />
          {settings.loading && !data ? <Spinner label="Loading settings…" /> : null}
          {data ? (
            <>
              <WebhookCard webhook={data['alerts.webhook'] ?? null} onChanged={settings.reload} />
              <ApplianceCard
                name={data['appliance.name'] ?? null}
                timezone={data['appliance.timezone'] ?? null}
                onChanged={settings.reload}
              />
            </>
          ) : null}
        </div>
      </div>
    </section>
  );
}
