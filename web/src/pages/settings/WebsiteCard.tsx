// The venue website's outputs: a public live picture (a JPEG that refreshes), its scheduled push
// to a website hosted elsewhere (with write-only credentials), and an embeddable player page with
// the snippet to paste. Each is off until turned on here; what is public is said next to it.
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import {
  DEFAULT_MAX_VIEWERS,
  DEFAULT_PICTURE_INTERVAL_S,
  DEFAULT_PUSH_INTERVAL_S,
  DEFAULT_REQUESTS_PER_MINUTE,
  livePictureSettings,
  playerSettings,
  pushSettings,
  STILL_SIZES,
  type StillSize,
} from '../../../../src/domain/website.ts';
import { ApiError, api } from '../../api/client.ts';
import { CheckField, FormActions } from '../../components/forms.tsx';
import { Button, ErrorNotice, Field, Notice, SelectField, Spinner, useLoad } from '../../components/ui.tsx';

interface WebsiteAnswer {
  'website.live_picture'?: unknown;
  'website.push'?: unknown;
  'website.push_credentials'?: { type: 'basic'; user: string } | { type: 'bearer' } | null;
  'website.player'?: unknown;
}

const SIZE_WORDS: Record<StillSize, string> = {
  '640x360': '640 × 360 (small, light on the website)',
  '1280x720': '1280 × 720 (HD)',
  '1920x1080': '1920 × 1080 (full HD)',
};

/** The appliance's own address as this browser reaches it (what a website would use too). */
const here = (): string => window.location.origin;

function useSave(onSaved: () => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const save = async (key: string, value: unknown, done: string): Promise<void> => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await api.put(`/api/settings/${key}`, { value });
      setNotice(done);
      onSaved();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const issue = (path: string): string | undefined =>
    error instanceof ApiError ? error.issueAt(`value.${path}`) : undefined;
  return { busy, error, notice, save, issue };
}

function Part({ title, id, children }: { title: string; id: string; children: ReactNode }) {
  return (
    <section className="website-part" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {children}
    </section>
  );
}

function Snippet({ label, text }: { label: string; text: string }) {
  const id = useId();
  return (
    <div className="website-snippet">
      <span id={id} className="website-snippet-label">
        {label}
      </span>
      <pre aria-labelledby={id} tabIndex={0}>
        <code>{text}</code>
      </pre>
    </div>
  );
}

function LivePicturePart({ stored, onSaved }: { stored: unknown; onSaved: () => void }) {
  const saved = livePictureSettings(stored);
  const [enabled, setEnabled] = useState(saved.enabled);
  const [size, setSize] = useState<StillSize>(saved.size);
  const [interval, setIntervalText] = useState(String(saved.interval_s));
  const [perMinute, setPerMinute] = useState(String(saved.requests_per_minute));
  const { busy, error, notice, save, issue } = useSave(onSaved);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save(
      'website.live_picture',
      { enabled, size, interval_s: Number(interval), requests_per_minute: Number(perMinute) },
      enabled
        ? 'Saved: the live picture is public.'
        : 'Saved: the live picture is off (its address answers 404).',
    );
  };
  return (
    <Part title="Live picture" id="website-live-picture">
      <form className="settings-form" onSubmit={submit} noValidate>
        <CheckField checked={enabled} onChange={setEnabled}>
          <span>
            Serve a public live picture at <code>/live.jpg</code>
          </span>
        </CheckField>
        <SelectField
          label="Picture size"
          value={size}
          onChange={(event) => setSize(event.target.value as StillSize)}
        >
          {STILL_SIZES.map((choice) => (
            <option key={choice} value={choice}>
              {SIZE_WORDS[choice]}
            </option>
          ))}
        </SelectField>
        <Field
          label="Refresh every (seconds)"
          type="number"
          min={5}
          value={interval}
          onChange={(event) => setIntervalText(event.target.value)}
          error={issue('interval_s')}
          hint={`At least 5; default ${DEFAULT_PICTURE_INTERVAL_S}. One picture is made per interval and everyone gets that one.`}
        />
        <Field
          label="Requests per minute from one visitor"
          type="number"
          min={1}
          value={perMinute}
          onChange={(event) => setPerMinute(event.target.value)}
          error={issue('requests_per_minute')}
          hint={`Default ${DEFAULT_REQUESTS_PER_MINUTE}; past it the visitor is told to wait (429).`}
        />
        <ErrorNotice error={error} />
        {notice ? <Notice kind="success">{notice}</Notice> : null}
        <FormActions submitLabel="Save live picture" busy={busy} />
      </form>
      {saved.enabled ? (
        <Snippet
          label="For the website (while nothing is on air it shows a “Be right back” picture):"
          text={`<img src="${here()}/live.jpg" alt="Live camera" width="${saved.size.split('x')[0]}">`}
        />
      ) : null}
    </Part>
  );
}

function PushPart({
  stored,
  credentials,
  onSaved,
}: {
  stored: unknown;
  credentials: WebsiteAnswer['website.push_credentials'];
  onSaved: () => void;
}) {
  const saved = pushSettings(stored);
  const [enabled, setEnabled] = useState(saved?.enabled ?? false);
  const [url, setUrl] = useState(saved?.url ?? '');
  const [method, setMethod] = useState<'PUT' | 'POST'>(saved?.method ?? 'PUT');
  const [interval, setIntervalText] = useState(String(saved?.interval_s ?? DEFAULT_PUSH_INTERVAL_S));
  const push = useSave(onSaved);
  const [kind, setKind] = useState<'basic' | 'bearer'>('basic');
  const [user, setUser] = useState('');
  const [secret, setSecret] = useState('');
  const creds = useSave(() => {
    setSecret('');
    onSaved();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void push.save(
      'website.push',
      { enabled, url: url.trim(), method, interval_s: Number(interval) },
      enabled ? 'Saved: the picture is sent now and then at every interval.' : 'Saved: the push is off.',
    );
  };
  const saveCredentials = (event: FormEvent) => {
    event.preventDefault();
    void creds.save(
      'website.push_credentials',
      kind === 'basic' ? { type: 'basic', user, password: secret } : { type: 'bearer', token: secret },
      'Saved: the credentials are stored sealed and are not shown again.',
    );
  };
  return (
    <Part title="Send the picture to a website" id="website-push">
      <p className="hint">
        For a website hosted elsewhere: the appliance sits behind the venue’s router, so it sends the picture
        out (HTTP PUT or POST of the JPEG) instead of waiting to be asked.
      </p>
      <form className="settings-form" onSubmit={submit} noValidate>
        <CheckField checked={enabled} onChange={setEnabled}>
          Send the live picture on a schedule
        </CheckField>
        <Field
          label="Send to address"
          type="url"
          value={url}
          onChange={(event) => setUrl(event.target.value)}
          error={push.issue('url')}
          placeholder="https://www.venue.example/webcam/live.jpg"
          spellCheck={false}
          autoComplete="off"
        />
        <SelectField
          label="HTTP method"
          value={method}
          onChange={(event) => setMethod(event.target.value as 'PUT' | 'POST')}
          error={push.issue('method')}
        >
          <option value="PUT">PUT (replaces the file at that address)</option>
          <option value="POST">POST (an upload endpoint)</option>
        </SelectField>
        <Field
          label="Send every (seconds)"
          type="number"
          min={5}
          value={interval}
          onChange={(event) => setIntervalText(event.target.value)}
          error={push.issue('interval_s')}
          hint="At least 5. The picture has the live picture’s size; after failures it is tried less often, and an alert says so."
        />
        <ErrorNotice error={push.error} />
        {push.notice ? <Notice kind="success">{push.notice}</Notice> : null}
        <FormActions submitLabel="Save push" busy={push.busy} submitDisabled={url.trim() === ''} />
      </form>
      <form className="settings-form" onSubmit={saveCredentials} noValidate>
        <p className="webhook-current" data-testid="push-credentials">
          {credentials ? (
            <>
              <span className="badge badge-ok">Set</span>{' '}
              {credentials.type === 'basic'
                ? `User name and password (user ${credentials.user})`
                : 'Bearer token'}
              , hidden
            </>
          ) : (
            <>
              <span className="badge badge-idle">None</span> The push sends no credentials.
            </>
          )}
        </p>
        <SelectField
          label="Credentials"
          value={kind}
          onChange={(event) => setKind(event.target.value as 'basic' | 'bearer')}
        >
          <option value="basic">User name and password (HTTP basic)</option>
          <option value="bearer">Bearer token</option>
        </SelectField>
        {kind === 'basic' ? (
          <Field
            label="User name"
            value={user}
            onChange={(event) => setUser(event.target.value)}
            error={creds.issue('user')}
            autoComplete="off"
          />
        ) : null}
        <Field
          label={kind === 'basic' ? 'Password' : 'Token'}
          type="password"
          value={secret}
          onChange={(event) => setSecret(event.target.value)}
          error={creds.issue(kind === 'basic' ? 'password' : 'token')}
          autoComplete="new-password"
          hint="Write-only: stored sealed, never shown again. Enter new ones to replace them."
        />
        <ErrorNotice error={creds.error} />
        {creds.notice ? <Notice kind="success">{creds.notice}</Notice> : null}
        <FormActions submitLabel="Save credentials" busy={creds.busy} submitDisabled={secret === ''}>
          {credentials ? (
            <Button
              variant="danger"
              disabled={creds.busy}
              onClick={() =>
                void creds.save('website.push_credentials', null, 'Removed: the push sends no credentials.')
              }
            >
              Remove credentials
            </Button>
          ) : null}
        </FormActions>
      </form>
    </Part>
  );
}

function PlayerPart({ stored, onSaved }: { stored: unknown; onSaved: () => void }) {
  const saved = playerSettings(stored);
  const [enabled, setEnabled] = useState(saved.enabled);
  const [sites, setSites] = useState(saved.embed_sites.join('\n'));
  const [maxViewers, setMaxViewers] = useState(String(saved.max_viewers));
  const { busy, error, notice, save, issue } = useSave(onSaved);
  const sitesId = useId();
  const list = sites
    .split(/[\s,]+/)
    .map((site) => site.trim())
    .filter((site) => site !== '');
  const siteIssue =
    error instanceof ApiError
      ? (error.issues.find((found) => found.path.startsWith('value.embed_sites'))?.message ?? undefined)
      : undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save(
      'website.player',
      { enabled, embed_sites: list, max_viewers: Number(maxViewers) },
      enabled ? 'Saved: the player page is public.' : 'Saved: the player page is off (404).',
    );
  };
  return (
    <Part title="Embeddable player" id="website-player">
      <form className="settings-form" onSubmit={submit} noValidate>
        <CheckField checked={enabled} onChange={setEnabled}>
          <span>
            Serve a public player page at <code>/embed/player</code> (the program, starting muted)
          </span>
        </CheckField>
        <div className={`field${siteIssue ? ' field-invalid' : ''}`}>
          <label htmlFor={sitesId}>Sites that may show it in a frame (one per line)</label>
          <textarea
            id={sitesId}
            rows={3}
            value={sites}
            onChange={(event) => setSites(event.target.value)}
            aria-invalid={siteIssue ? true : undefined}
            aria-describedby={`${sitesId}-hint`}
            placeholder="https://www.venue.example"
            spellCheck={false}
          />
          {siteIssue ? (
            <small id={`${sitesId}-hint`} className="field-error">
              {siteIssue}
            </small>
          ) : (
            <small id={`${sitesId}-hint`} className="hint">
              Like <code>https://www.venue.example</code> or <code>https://*.venue.example</code>. Other sites
              cannot frame it; with none, it only opens as a page of its own.
            </small>
          )}
        </div>
        <Field
          label="Viewers at a time"
          type="number"
          min={1}
          value={maxViewers}
          onChange={(event) => setMaxViewers(event.target.value)}
          error={issue('max_viewers')}
          hint={`Default ${DEFAULT_MAX_VIEWERS}. Each viewer takes about the stream's bitrate of the venue's upload; one more is told the player is full.`}
        />
        <ErrorNotice error={error} />
        {notice ? <Notice kind="success">{notice}</Notice> : null}
        <FormActions submitLabel="Save player" busy={busy} />
      </form>
      {saved.enabled ? (
        <Snippet
          label="Embed snippet for the website:"
          text={`<iframe src="${here()}/embed/player" width="640" height="360" title="Live camera" allow="autoplay; fullscreen" allowfullscreen style="border:0"></iframe>`}
        />
      ) : null}
    </Part>
  );
}

export function WebsiteCard() {
  const settings = useLoad((signal) => api.get<WebsiteAnswer>('/api/settings', signal));
  const data = settings.data;
  return (
    <section className="card website-card" id="website" aria-labelledby="settings-website">
      <h2 id="settings-website">Venue website</h2>
      <p className="hint">
        A live picture and a player for the venue’s own website. Each is off until turned on; when on, its
        address answers anyone who can reach the appliance under a name it answers to (see the README, “For
        the venue’s website”). Nothing else becomes public.
      </p>
      <ErrorNotice error={settings.error} />
      {settings.loading && !data ? <Spinner label="Loading the website settings…" /> : null}
      {data ? (
        <>
          <LivePicturePart stored={data['website.live_picture']} onSaved={settings.reload} />
          <PushPart
            stored={data['website.push']}
            credentials={data['website.push_credentials'] ?? null}
            onSaved={settings.reload}
          />
          <PlayerPart stored={data['website.player']} onSaved={settings.reload} />
        </>
      ) : null}
    </section>
  );
}
