// The store: one SQLite file (WAL), migrated on open, with a repository per table group.
import { join } from 'node:path';
import { migrate, openDatabase, type Db } from './database.ts';
import { AlertRepository } from './repositories/alerts.ts';
import { ApiTokenRepository, SessionRepository } from './repositories/auth.ts';
import { CameraRepository } from './repositories/cameras.ts';
import { DestinationRepository } from './repositories/destinations.ts';
import { HealthSampleRepository } from './repositories/health-samples.ts';
import {
  AssetRepository,
  ExecutionRepository,
  SettingsRepository,
  UserRepository,
} from './repositories/records.ts';
import { ScheduleRepository } from './repositories/schedules.ts';
import { TimelineRepository } from './repositories/timelines.ts';
import { YouTubeConnectionRepository } from './repositories/youtube-connections.ts';
import { createSecretBox, loadSecretKey } from './secrets.ts';

export interface Store {
  readonly db: Db;
  readonly path: string;
  readonly timelines: TimelineRepository;
  readonly cameras: CameraRepository;
  readonly destinations: DestinationRepository;
  readonly assets: AssetRepository;
  readonly executions: ExecutionRepository;
  readonly settings: SettingsRepository;
  readonly alerts: AlertRepository;
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly apiTokens: ApiTokenRepository;
  readonly schedules: ScheduleRepository;
  readonly healthSamples: HealthSampleRepository;
  readonly youtubeConnections: YouTubeConnectionRepository;
  close(): void;
}

export interface StoreOptions {
  /** Folder for the database and the secret key file. */
  dataDir: string;
  /** Database file; default `<dataDir>/vistterstream.db`. */
  dbPath?: string;
  /** 32-byte key for secrets at rest; default: `configuredSecretKey`, else `<dataDir>/secret.key`. */
  secretKey?: Buffer;
  /** The configuration's key (AppConfig.secretKey: VISTTER_SECRET_KEY, base64); null: the file. */
  configuredSecretKey?: string | null;
}

export function openStore(options: StoreOptions): Store {
  const path = options.dbPath ?? join(options.dataDir, 'vistterstream.db');
  const db = openDatabase(path);
  migrate(db);
  const secrets = createSecretBox(
    options.secretKey ?? loadSecretKey(options.dataDir, { VISTTER_SECRET_KEY: options.configuredSecretKey }),
  );
  return {
    db,
    path,
    timelines: new TimelineRepository(db),
    cameras: new CameraRepository(db, secrets),
    destinations: new DestinationRepository(db, secrets),
    assets: new AssetRepository(db),
    executions: new ExecutionRepository(db),
    settings: new SettingsRepository(db, secrets),
    alerts: new AlertRepository(db),
    users: new UserRepository(db),
    sessions: new SessionRepository(db),
    apiTokens: new ApiTokenRepository(db),
    schedules: new ScheduleRepository(db),
    healthSamples: new HealthSampleRepository(db),
    youtubeConnections: new YouTubeConnectionRepository(db, secrets),
    close: () => db.close(),
  };
}
