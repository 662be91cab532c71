// What the HTTP API is built from: narrow interfaces, so tests hand in real stores and fakes only
// for what cannot run here. main.ts wires the real ones.
import type { ShowControl } from '../app/show-control.ts';
import type { CameraMedia } from '../cameras/probe.ts';
import type { YouTubeEndpoints } from '../config.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { PtzConnect } from '../ptz/onvif.ts';
import type { Alert } from '../store/repositories/alerts.ts';
import type { Store } from '../store/store.ts';
import type { WebsiteOutputs } from '../website/outputs.ts';
import type { TimelapseService } from '../timelapse/service.ts';

export interface ApiDeps {
  store: Store;
  /** The data folder (assets live in <dataDir>/assets). */
  dataDir: string;
  clock?: Clock;
  logger?: Logger;
  /** Mark the session cookie Secure (the appliance is served over HTTPS). Default false: most
   *  appliances are reached over plain HTTP on the venue's network. */
  secureCookies?: boolean;
  /** Acknowledging through the alert center keeps its open-alert cache true (default: the store). */
  alerts?: { acknowledge(id: number): Alert };
  /** A setting was saved (main applies it at once, e.g. a new alert webhook). */
  onSettingChanged?: (key: string, value: unknown) => void;
  /** Camera test and snapshot (default: real ffprobe/ffmpeg). */
  cameraMedia?: CameraMedia;
  /** Largest asset upload in bytes (the configuration's; default 500 MB). */
  maxUploadBytes?: number;
  /** Show control (GO LIVE, live controls, telemetry); without it only /api/health answers. */
  shows?: ApiShowControl;
  /** Connects to a camera's ONVIF PTZ (default: connectOnvif); tests hand in a shorter deadline. */
  ptz?: { connect: PtzConnect };
  /** The built web UI (web/dist) served at /; without it only the API answers. */
  webRoot?: string;
  /** The scheduler: told of every schedule change; the appliance's time zone for next runs
   *  (default: the system's). */
  schedules?: {
    reload(): unknown;
    onAirScheduleId(): number | null;
    timeZone(): string;
  };
  /** Google's OAuth and YouTube API endpoints (default: Google's; tests point them at a stand-in). */
  youtubeEndpoints?: YouTubeEndpoints;
  /** The venue website's outputs (main.ts runs their push); default: made from the store, no push. */
  website?: WebsiteOutputs;
  /** Issue 17: the daily time-lapse (default: one over the data folder that takes no snapshots). */
  timelapses?: TimelapseService;
}

export type ApiShowControl = ShowControl;
