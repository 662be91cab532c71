// Opening the SQLite file and applying the numbered migrations in src/store/migrations/, and
// keeping the data folder private (files 0600, folders 0700: the database holds sealed secrets
// and the key that opens them lies beside it). No logger here: boot-env.ts imports this before
// the configuration has set the log level.
import Database from 'better-sqlite3';
import {
  chmodSync,
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
} from 'node:fs';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Db = Database.Database;

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Migrations are files named NNN_description.sql, applied in order, each in its own transaction. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{3}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 3)),
      name: file.slice(4, -4),
      sql: readFileSync(join(dir, file), 'utf8'),
    }));
}

export function openDatabase(path: string): Db {
  const onDisk = path !== ':memory:' && path !== '';
  if (onDisk) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Made 0600 before SQLite opens it: SQLite gives the -wal and -shm files the database file's
    // mode, whatever the process umask.
    if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  }
  const db = new Database(path);
  // WAL + synchronous=NORMAL survives a power cut with the database intact (at most the last
  // transactions are lost); foreign keys are off by default in SQLite.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Deleted and overwritten content is zeroed, so a secret sealed or removed does not linger in
  // the file's free space (the database is small: the extra writes cost nothing to speak of).
  db.pragma('secure_delete = ON');
  // A database made before this rule (0644) is made private now, -wal and -shm with it.
  if (onDisk) for (const file of databaseFiles(path)) makePrivate(file);
  return db;
}

/**
 * Writes the WAL back into the database file and empties it: after secrets were sealed in place,
 * their clear-text pages are then gone from both files.
 */
export function checkpointNow(db: Db): void {
  db.pragma('wal_checkpoint(TRUNCATE)');
}

/** The database file and the files SQLite keeps beside it. */
export function databaseFiles(path: string): string[] {
  return [path, `${path}-wal`, `${path}-shm`, `${path}-journal`];
}

/** What the data folder holds that is the appliance's own (README "Running 24/7"). */
export const DATA_FILES = ['vistterstream.db', 'secret.key', 'config.json'] as const;
export const DATA_FOLDERS = ['assets', 'recordings', 'preview', 'run'] as const;

/**
 * Makes the data folder private at start: the folder itself 0700 (created so when missing), the
 * database files, the secret key and the config file 0600, the media, recordings and preview
 * folders 0700 with their contents 0600/0700. Only group and other bits are removed, and only on
 * what this process owns: a data folder pointed at a shared place (a home folder, a mount point
 * owned by root) is tightened no further than its own files. Returns the paths changed.
 */
export function secureDataDir(dataDir: string): string[] {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const changed: string[] = [];
  if (parse(dataDir).root !== dataDir) makePrivate(dataDir, changed);
  for (const name of DATA_FILES) {
    for (const file of name.endsWith('.db') ? databaseFiles(join(dataDir, name)) : [join(dataDir, name)]) {
      makePrivate(file, changed);
    }
  }
  for (const name of DATA_FOLDERS) makePrivateTree(join(dataDir, name), changed);
  return changed;
}

/** Removes group and other permissions from one file or folder of ours; symlinks are left alone. */
function makePrivate(path: string, changed: string[] = []): void {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return; // absent: nothing to protect
  }
  if (stat.isSymbolicLink() || (stat.mode & 0o077) === 0) return;
  if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) return;
  chmodSync(path, stat.mode & 0o700);
  changed.push(path);
}

function makePrivateTree(path: string, changed: string[]): void {
  makePrivate(path, changed);
  let entries;
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) makePrivateTree(child, changed);
    else makePrivate(child, changed);
  }
}

/** Applies the migrations not yet applied; returns the versions applied now. */
export function migrate(db: Db, migrations = loadMigrations()): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  )`);
  const applied = new Set(
    db
      .prepare('SELECT version FROM schema_migrations')
      .all()
      .map((row) => (row as { version: number }).version),
  );
  const done: number[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)').run(
        migration.version,
        migration.name,
      );
    })();
    done.push(migration.version);
  }
  return done;
}

export function nowIso(): string {
  return new Date().toISOString();
}
