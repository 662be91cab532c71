// Settings: your password and your role for everyone; for admins also the users, API tokens (each
// with its scope), the alert webhook (masked once saved), the appliance's name and time zone, the
// encoder preset of the next show.
import type { AppliancePosition } from '../../../../src/domain/settings.ts';
import { api, authApi } from '../../api/client.ts';
import { ErrorNotice, PageHeader, Spinner, useLoad } from '../../components/ui.tsx';
import { ApplianceCard } from './ApplianceCard.tsx';
import { AudioCard } from './AudioCard.tsx';
import { EncoderCard } from './EncoderCard.tsx';
import { PasswordCard } from './PasswordCard.tsx';
import { PositionCard } from './PositionCard.tsx';
import { ROLE_ALLOWS, ROLE_LABEL } from './roles.ts';
import { TokensCard } from './TokensCard.tsx';
import { UsersCard } from './UsersCard.tsx';
import { WebhookCard, type WebhookSetting } from './WebhookCard.tsx';
import { YouTubeClientCard, type YouTubeClientSetting } from './YouTubeClientCard.tsx';
import { WebsiteCard } from './WebsiteCard.tsx';
import '../../components/forms.css';
import './settings.css';

interface SettingsAnswer {
  'appliance.name'?: string | null;
  'appliance.timezone'?: string | null;
  'alerts.webhook'?: WebhookSetting | null;
  'encoder.preset'?: string | null;
  'appliance.position'?: AppliancePosition | null;
  'youtube.oauth_client'?: YouTubeClientSetting | null;
  'audio.loudness_target'?: number | 'off' | null;
}

export function Settings() {
  // Who is signed in, with the role the appliance gives them (the shell's session has no role).
  const status = useLoad((signal) => authApi.status(signal));
  const me = status.data?.user ?? null;
  const isAdmin = status.data?.role === 'admin';
  const settings = useLoad(
    (signal) => (isAdmin ? api.get<SettingsAnswer>('/api/settings', signal) : Promise.resolve(null)),
    [isAdmin],
  );
  const data = settings.data;
  return (
    <section className="settings-page">
      <PageHeader title="Settings" />
      <ErrorNotice error={status.error} />
      {status.loading && !status.data ? <Spinner label="Loading your account…" /> : null}
      <div className="settings-grid">
        <div className="settings-column">
          {me && status.data?.role ? (
            <section className="card" aria-labelledby="settings-access">
              <h2 id="settings-access">Your access</h2>
              <p>
                Signed in as <strong>{me.username}</strong>, role{' '}
                <span className={`role-badge role-${status.data.role}`}>{ROLE_LABEL[status.data.role]}</span>:{' '}
                {ROLE_ALLOWS[status.data.role]}.
              </p>
              {!isAdmin ? (
                <p className="hint">
                  Users, API tokens and the appliance’s settings are managed by an admin.
                </p>
              ) : null}
            </section>
          ) : null}
          <PasswordCard />
          {isAdmin ? <TokensCard /> : null}
        </div>
        {isAdmin && me ? (
          <div className="settings-column">
            <UsersCard me={me} />
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
                <PositionCard position={data['appliance.position'] ?? null} onChanged={settings.reload} />
                <EncoderCard preset={data['encoder.preset'] ?? null} onChanged={settings.reload} />
                <YouTubeClientCard
                  client={data['youtube.oauth_client'] ?? null}
                  onChanged={settings.reload}
                />
                <AudioCard target={data['audio.loudness_target'] ?? null} onChanged={settings.reload} />
                {/* The venue website's live picture, push and player (issue 17). */}
                <WebsiteCard />
              </>
            ) : null}
          </div>
        ) : null}
      </div>
    </section>
  );
}
