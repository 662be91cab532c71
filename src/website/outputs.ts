// The website outputs as the appliance runs them: one live still (shared by /live.jpg and the
// push), the per-client limiter of the public picture, and the pusher; settings are read from the
// store each time, so a change in Settings applies at once.
import { systemClock, type Clock } from '../core/clock.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import {
  LIVE_PICTURE_SETTING,
  livePictureSettings,
  PLAYER_SETTING,
  playerSettings,
  PUSH_CREDENTIALS_SETTING,
  PUSH_SETTING,
  pushCredentials,
  pushSettings,
  stillSize,
  type LivePictureSettings,
  type PlayerSettings,
} from '../domain/website.ts';
import type { AlertSink } from '../errors/alert-sink.ts';
import { JpegThread } from '../preview/jpeg-thread.ts';
import { LIVE_STILL_QUALITY, LiveStill, type LiveStillSource } from './live-still.ts';
import { ViewerPlaces } from './hls-limits.ts';
import { WebsitePusher } from './push.ts';
import { ClientRateLimiter } from './rate-limit.ts';

/** The settings store as the website outputs read it. */
export interface SettingsReader {
  get<T>(key: string, fallback: T): T;
}

export interface WebsiteOutputsDeps {
  settings: SettingsReader;
  /** The on-air program picture (ShowControl.programPicture). */
  picture: LiveStillSource['picture'];
  alerts: AlertSink;
  clock?: Clock;
  logger?: Logger;
  /** Per push request (default 20 s). */
  pushTimeoutMs?: number;
}

export interface WebsiteOutputs {
  readonly still: LiveStill;
  readonly limiter: ClientRateLimiter;
  /** The player's HLS: requests per client (playlist and segments apart) and viewers at a time. */
  readonly hls: { readonly limiter: ClientRateLimiter; readonly viewers: ViewerPlaces };
  readonly pusher: WebsitePusher;
  livePicture(): LivePictureSettings;
  player(): PlayerSettings;
  /** Tell the outputs a setting was saved (the push applies a change at once). */
  settingChanged(key: string): void;
  close(): void;
}

export const WEBSITE_SETTING_KEYS: readonly string[] = [
  LIVE_PICTURE_SETTING,
  PUSH_SETTING,
  PUSH_CREDENTIALS_SETTING,
  PLAYER_SETTING,
];

export function createWebsiteOutputs(deps: WebsiteOutputsDeps): WebsiteOutputs {
  const clock = deps.clock ?? systemClock;
  const read = (key: string): unknown => deps.settings.get<unknown>(key, null);
  const livePicture = () => livePictureSettings(read(LIVE_PICTURE_SETTING));
  const logger = deps.logger ?? createLogger('website');
  const jpegs = new JpegThread(logger, LIVE_STILL_QUALITY);
  const still = new LiveStill(
    {
      picture: deps.picture,
      config: () => {
        const settings = livePicture();
        return { size: stillSize(settings.size), intervalS: settings.interval_s };
      },
    },
    clock,
    (picture, size) => jpegs.convert(picture, size),
  );
  const pusher = new WebsitePusher({
    still: () => still.current(),
    settings: () => ({
      push: pushSettings(read(PUSH_SETTING)),
      credentials: pushCredentials(read(PUSH_CREDENTIALS_SETTING)),
    }),
    alerts: deps.alerts,
    clock,
    logger,
    ...(deps.pushTimeoutMs !== undefined ? { requestTimeoutMs: deps.pushTimeoutMs } : {}),
  });
  return {
    still,
    limiter: new ClientRateLimiter(clock),
    hls: { limiter: new ClientRateLimiter(clock), viewers: new ViewerPlaces(clock) },
    pusher,
    livePicture,
    player: () => playerSettings(read(PLAYER_SETTING)),
    settingChanged: (key) => {
      if (key === PUSH_SETTING || key === PUSH_CREDENTIALS_SETTING || key === LIVE_PICTURE_SETTING)
        pusher.reconfigure();
    },
    close: () => {
      pusher.stop();
      jpegs.close();
    },
  };
}
