// The YouTube broadcasts of the show on air (issue 17): for each destination whose broadcasts the
// appliance runs, whether YouTube has it live (an RTMP session that is up is not proof of that),
// the stream's data and health as YouTube sees them, the watch link, how many broadcasts this show
// has made (a new one each time YouTube ended one), and what stands in the way.
import type { LiveShow } from '../../../../src/domain/live.ts';
import './youtube-broadcasts.css';

type Broadcast = LiveShow['youtube'][number];

function verdict(broadcast: Broadcast): { text: string; badge: string } {
  if (broadcast.live) return { text: 'Live on YouTube', badge: 'badge-live' };
  const status = broadcast.lifeCycleStatus;
  if (status === null) return { text: 'Not checked yet', badge: 'badge-idle' };
  if (status === 'complete' || status === 'revoked')
    return { text: `Ended by YouTube (${status}) — the next one is on its way`, badge: 'badge-warn' };
  return { text: `Not live yet (${status})`, badge: 'badge-warn' };
}

const HEALTH: Record<NonNullable<Broadcast['health']>, string> = {
  good: 'good',
  ok: 'fair',
  bad: 'bad',
  noData: 'no data',
};

export function YouTubeBroadcasts({ show }: { show: LiveShow }) {
  if (show.youtube.length === 0) return null;
  return (
    <section className="card" aria-label="YouTube broadcasts">
      <h2>YouTube broadcasts</h2>
      <ul className="cr-youtube-list">
        {show.youtube.map((broadcast) => {
          const { text, badge } = verdict(broadcast);
          return (
            <li key={broadcast.outputId}>
              <p>
                <strong>{broadcast.name}</strong> <span className={`badge ${badge}`}>{text}</span>
              </p>
              <p className="hint">
                Stream: {broadcast.streamStatus ?? 'not read yet'}
                {broadcast.health ? `, health ${HEALTH[broadcast.health]}` : ''} · Broadcasts this show:{' '}
                {broadcast.broadcasts}
                {broadcast.checkedAt
                  ? ` · checked ${new Date(broadcast.checkedAt).toLocaleTimeString()}`
                  : ''}
              </p>
              {broadcast.watchUrl ? (
                <p>
                  Watch:{' '}
                  <a href={broadcast.watchUrl} target="_blank" rel="noreferrer">
                    {broadcast.watchUrl}
                  </a>
                </p>
              ) : null}
              {broadcast.problem ? (
                <p className="notice notice-warning" role="status">
                  {broadcast.problem}
                </p>
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
