// The YouTube broadcasts of one show: for each chosen destination with `youtube` settings, a
// BroadcastLifecycle on the destination's connected channel. Read from the store at every
// (re)start: the OAuth client (Settings), the channel's sealed tokens, the saved stream id. The
// publisher target of such a destination sends to its stream's ingestion address (the stream key
// comes from YouTube, not from the destination's server URL and key).
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import { messageOf } from '../../core/message-of.ts';
import type { YouTubeEndpoints } from '../../config.ts';
import type { YouTubeBroadcastState } from '../../domain/live.ts';
import type { DestinationTarget } from '../../engine/index.ts';
import type { AlertSink } from '../../errors/alert-sink.ts';
import { AppError, isAppError } from '../../errors/registry.ts';
import type { Destination } from '../../store/repositories/destinations.ts';
import type { Store } from '../../store/store.ts';
import { YouTubeLiveClient } from './client.ts';
import { BroadcastLifecycle } from './lifecycle.ts';
import type { OAuthClient } from './oauth-http.ts';
import type { QuotaLedger } from './quota.ts';
import { YouTubeStreamRepository } from './saved-streams.ts';
import { TokenKeeper } from './tokens.ts';

/** Google's endpoints, and the watch's pace (tests shorten it; default: lifecycle.ts's). */
export type YouTubeShowConfig = YouTubeEndpoints & {
  pollIntervalMs?: number;
  goLiveWithinMs?: number;
  bindWithinMs?: number;
};

export interface ShowBroadcastsDeps {
  store: Store;
  youtube: YouTubeShowConfig;
  /** One per Google project (the quota is the project's): the runner's. */
  ledger: QuotaLedger;
  clock: Clock;
  logger: Logger;
}

/** The destinations among `ids` whose broadcasts the appliance runs (enabled, with `youtube`). */
export function managedDestinations(store: Store, ids: readonly number[]): Destination[] {
  const managed: Destination[] = [];
  for (const id of new Set(ids)) {
    try {
      const destination = store.destinations.get(id);
      if (destination.enabled && destination.platform === 'youtube' && destination.youtube)
        managed.push(destination);
    } catch {
      // A missing destination is the plain path's to report.
    }
  }
  return managed;
}

function oauthClientOf(store: Store): OAuthClient {
  const stored = store.settings.get<{ client_id?: unknown; client_secret?: unknown } | null>(
    'youtube.oauth_client',
    null,
  );
  if (!stored || typeof stored.client_id !== 'string' || typeof stored.client_secret !== 'string')
    throw new AppError('YOUTUBE_CLIENT_NOT_SET', 'no Google OAuth client is set in Settings');
  return { clientId: stored.client_id, clientSecret: stored.client_secret };
}

interface Prepared {
  destination: Destination;
  lifecycle: BroadcastLifecycle;
  url: string;
}

/** The show's YouTube broadcasts, from GO LIVE to stop. */
export class ShowBroadcasts {
  private readonly prepared: Prepared[] = [];
  private stopping: Promise<void> | null = null;
  /** The show's alerts (cleared with it), known once the show is launched. */
  private sink: AlertSink | null = null;
  private readonly alerts: AlertSink = {
    raise: (alert) => this.sink?.raise(alert),
    clear: (key) => this.sink?.clear(key),
  };

  private constructor() {}

  /**
   * Makes the stream and the first broadcast of each managed destination. 'strict' (GO LIVE): a
   * destination YouTube refuses throws an AppError naming it (what was made already is stopped);
   * 'lenient' (a crash resume): it is left out with a warning.
   */
  static async prepare(
    deps: ShowBroadcastsDeps,
    destinations: readonly Destination[],
    mode: 'strict' | 'lenient',
  ): Promise<{ broadcasts: ShowBroadcasts; warnings: string[] }> {
    const broadcasts = new ShowBroadcasts();
    const warnings: string[] = [];
    for (const destination of destinations) {
      const settings = destination.youtube;
      if (!settings) continue;
      const outputId = `dest:${destination.id}`;
      const log = deps.logger.child({ destination: destination.id, component: 'youtube' });
      try {
        const client = oauthClientOf(deps.store);
        const tokens = new TokenKeeper(settings.connection_id, {
          connections: deps.store.youtubeConnections,
          endpoints: deps.youtube,
          client,
          clock: deps.clock,
          logger: log,
        });
        const api = new YouTubeLiveClient({
          apiBaseUrl: deps.youtube.apiBaseUrl,
          tokens,
          clock: deps.clock,
          ledger: deps.ledger,
          logger: log,
        });
        const lifecycle = new BroadcastLifecycle({
          destination: { outputId, id: destination.id, name: destination.name },
          connectionId: settings.connection_id,
          settings,
          api,
          clock: deps.clock,
          streams: new YouTubeStreamRepository(deps.store.db),
          alerts: broadcasts.alerts,
          logger: log,
          ...(deps.youtube.pollIntervalMs !== undefined
            ? { pollIntervalMs: deps.youtube.pollIntervalMs }
            : {}),
          ...(deps.youtube.goLiveWithinMs !== undefined
            ? { goLiveWithinMs: deps.youtube.goLiveWithinMs }
            : {}),
          ...(deps.youtube.bindWithinMs !== undefined ? { bindWithinMs: deps.youtube.bindWithinMs } : {}),
        });
        // A crash resume carries on the broadcast the interrupted show left on air.
        const url = await lifecycle.prepare({ adopt: mode === 'lenient' });
        broadcasts.prepared.push({ destination, lifecycle, url });
      } catch (error) {
        const message = `destination ${destination.id} ("${destination.name}"): YouTube broadcast not ready: ${messageOf(error)}`;
        if (mode === 'lenient') {
          warnings.push(`${message}: left out`);
          continue;
        }
        await broadcasts.stop();
        throw new AppError(isAppError(error) ? error.code : 'YOUTUBE_REQUEST_FAILED', message, [
          { path: `destinations[${destination.id}].youtube`, message: messageOf(error) },
        ]);
      }
    }
    return { broadcasts, warnings };
  }

  /** The publisher targets: the stream's ingestion URL (holds the key: never logged). */
  targets(): DestinationTarget[] {
    return this.prepared.map(({ destination, lifecycle, url }) => ({
      id: `dest:${destination.id}`,
      name: `${destination.name} (destination ${destination.id})`,
      platform: destination.platform,
      url,
      // No time limit: the lifecycle asks for a new session when a broadcast does not go live.
      session: { maxMs: Infinity, attach: (output) => lifecycle.attachSession(output) },
    }));
  }

  /** Destination ids handled here (the plain path leaves them out). */
  get destinationIds(): number[] {
    return this.prepared.map(({ destination }) => destination.id);
  }

  /** The engine runs: the watch begins; problems and events go to `alerts`. */
  start(alerts?: AlertSink): void {
    this.sink = alerts ?? null;
    for (const { lifecycle } of this.prepared) lifecycle.start();
  }

  /** A channel was connected again: its destinations' broadcasts use the new tokens at once (the
   *  token keeper reads them from the store at each call). */
  reconnected(connectionId: number): void {
    for (const { destination, lifecycle } of this.prepared)
      if (destination.youtube?.connection_id === connectionId) lifecycle.accessRestored();
  }

  states(): YouTubeBroadcastState[] {
    return this.prepared.map(({ lifecycle }) => lifecycle.state());
  }

  /** Completes the broadcasts (bounded); safe to call more than once. */
  stop(): Promise<void> {
    this.stopping ??= Promise.all(this.prepared.map(({ lifecycle }) => lifecycle.stop())).then(
      () => undefined,
    );
    return this.stopping;
  }
}
