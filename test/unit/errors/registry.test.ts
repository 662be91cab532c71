// The one registry of codes: every code an alert is raised with is in it, with a severity and a
// remediation; an unknown code does not compile (tsc checks this file: see the @ts-expect-error
// lines); alert remediations come from the registry, not from the call sites.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import type { AlertInput } from '../../../src/alerts/alert-center.ts';
import type { EngineAlerts } from '../../../src/engine/engine-alerts.ts';
import {
  cameraOffAirAlert,
  degradedModeAlert,
  destinationSessionRestartedAlert,
  encoderRestartedAlert,
  operatorQualityAlert,
  scheduleStartFailedAlert,
  showResumedAlert,
} from '../../../src/errors/alert-messages.ts';
import {
  alertRemediation,
  AppError,
  CODES,
  type AlertCode,
  type Code,
} from '../../../src/errors/registry.ts';

const SRC = join(import.meta.dirname, '../../../src');

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** The text of the innermost object literal around `at` (balanced braces; strings not parsed,
 *  which is enough for the alert inputs of this code base). */
function enclosingObject(text: string, at: number): string | null {
  let depth = 0;
  let start = -1;
  for (let i = at; i >= 0; i--) {
    const c = text[i];
    if (c === '}') depth++;
    else if (c === '{') {
      if (depth === 0) {
        start = i;
        break;
      }
      depth--;
    }
  }
  if (start < 0) return null;
  depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(start, i + 1);
  }
  return null;
}

interface AlertLiteral {
  file: string;
  code: string;
  /** The object also writes its remediation as a string or template literal. */
  inlineRemediation: boolean;
}

/** Every object literal in src/ that is an alert (a code literal beside a severity and a message),
 *  and every code the alert sentence builders name. */
function alertLiterals(): AlertLiteral[] {
  const found: AlertLiteral[] = [];
  for (const path of sourceFiles(SRC)) {
    const file = relative(SRC, path);
    const text = readFileSync(path, 'utf8');
    for (const match of text.matchAll(/\bcode: '([A-Z][A-Z0-9_]*)'/g)) {
      const object = enclosingObject(text, match.index);
      if (object === null || !/\bseverity\b/.test(object) || !/\bmessage\b/.test(object)) continue;
      found.push({
        file,
        code: match[1]!,
        inlineRemediation: /\bremediation:\s*(\(?\s*[\w.]+\s*===?[^?]*\?\s*)?['`"]/.test(object),
      });
    }
    if (file === join('errors', 'alert-messages.ts')) {
      for (const match of text.matchAll(/\b(?:alertRemediation|alertSeverity)\('([A-Z][A-Z0-9_]*)'/g))
        found.push({ file, code: match[1]!, inlineRemediation: false });
    }
  }
  return found;
}

describe('the registry of codes', () => {
  const literals = alertLiterals();
  const codes = new Set(literals.map((l) => l.code));

  it('finds the alerts raised in src/ (the scan is not empty)', () => {
    for (const code of [
      'CAMERA_OFFLINE',
      'DEGRADED_MODE',
      'ENCODER_RESTARTED',
      'DESTINATION_SESSION_RESTARTED',
      'SCHEDULE_START_FAILED',
      'SCHEDULE_SKIPPED',
      'SCHEDULE_PREFLIGHT_FAILED',
      'SHOW_RESUMED',
      'DISK_SPACE_LOW',
      'RECORDING_DISK_FULL',
      'PTZ_FAILED',
    ])
      assert.ok(codes.has(code), `${code} is raised somewhere in src/`);
  });

  it('has every code an alert is raised with, with a severity and a remediation', () => {
    for (const { file, code } of literals) {
      assert.ok(code in CODES, `${code} (${file}) is in the registry`);
      const entry: { severity?: string; remediation?: string } = CODES[code as Code];
      assert.ok(entry.severity, `${code} has a severity`);
      assert.ok(entry.remediation && entry.remediation.length > 10, `${code} has a remediation`);
    }
  });

  it('every entry is an error (HTTP status), an alert (severity), or both', () => {
    for (const [code, entry] of Object.entries(CODES) as [string, { status?: number; severity?: string }][]) {
      assert.ok(entry.status !== undefined || entry.severity !== undefined, code);
      if (entry.status !== undefined) assert.ok(entry.status >= 400 && entry.status < 600, code);
    }
  });

  it('alerts write no remediation of their own outside the registry', () => {
    const inline = literals.filter((l) => l.inlineRemediation).map((l) => l.file);
    assert.deepEqual(inline, [], 'alerts with an inline remediation');
  });

  it('an unknown code does not compile', () => {
    // @ts-expect-error: not a code of the registry
    const unknown: AlertInput['code'] = 'CAMERA_ON_FIRE';
    // @ts-expect-error: the engine's alerts take registry codes too
    const engine: Parameters<EngineAlerts['raise']>[0]['code'] = 'NOT_A_CODE';
    // @ts-expect-error: an alert-only code has no HTTP status, so it is no API error
    const notAnError = () => new AppError('CAMERA_OFFLINE', 'x');
    const known: AlertCode = 'CAMERA_OFFLINE';
    assert.equal(typeof notAnError, 'function');
    assert.deepEqual([unknown, engine, known], ['CAMERA_ON_FIRE', 'NOT_A_CODE', 'CAMERA_OFFLINE']);
  });
});

describe('alert sentences (src/errors/alert-messages.ts)', () => {
  it('a camera off air names its backup or the slate, with the remediation of its cause', () => {
    const onBackup = cameraOffAirAlert({
      camera: 'Camera 2 (Dock)',
      cause: null,
      symptom: 'no-signal',
      replacement: { kind: 'backup', camera: 'Camera 3 (Gate)' },
    });
    assert.deepEqual(onBackup, {
      code: 'CAMERA_OFFLINE',
      severity: 'warning',
      message: 'Camera 2 (Dock) sends no picture — switched to backup Camera 3 (Gate).',
      remediation:
        'Check the camera’s power and network. The show returns to it by itself once it sends video again.',
    });
    const onSlate = cameraOffAirAlert({
      camera: 'Camera 2 (Dock)',
      cause: { code: 'CAMERA_AUTH_FAILED', reason: 'The camera refused the user name or password.' },
      symptom: 'stalled',
      replacement: { kind: 'slate' },
    });
    assert.equal(onSlate.code, 'CAMERA_AUTH_FAILED');
    assert.equal(onSlate.severity, 'error');
    assert.equal(
      onSlate.message,
      'Camera 2 (Dock) is off air: The camera refused the user name or password and no backup camera is working — the “Technical difficulties” slate is on air.',
    );
    assert.equal(
      onSlate.remediation,
      `${CODES.CAMERA_AUTH_FAILED.remediation} Give it a backup camera in its settings. The show returns to it by itself.`,
    );
  });

  it('degraded mode: a step down for CPU names the level on air; a step up and the operator are info', () => {
    const down = degradedModeAlert({
      sentence: 'Lowered to 720p.',
      direction: 'down',
      cause: 'cpu',
      current: '720p at 30 fps at 2.5 Mb/s',
      backAtSettings: false,
    });
    assert.equal(down.severity, 'warning');
    assert.match(down.remediation, /^The stream goes on at 720p at 30 fps at 2\.5 Mb\/s\. It steps back up/);
    const network = degradedModeAlert({
      sentence: 'Lowered the bitrate.',
      direction: 'down',
      cause: 'network',
      current: '1080p at 30 fps at 3 Mb/s',
      backAtSettings: false,
    });
    assert.equal(network.remediation, CODES.DEGRADED_MODE.when.network);
    const up = degradedModeAlert({
      sentence: 'Back to 1080p.',
      direction: 'up',
      cause: 'cpu',
      current: '1080p',
      backAtSettings: true,
    });
    assert.deepEqual([up.severity, up.remediation], ['info', CODES.DEGRADED_MODE.remediation]);
    assert.equal(
      operatorQualityAlert({ level: 1, was: 0, now: 1, words: String }).remediation,
      CODES.DEGRADED_MODE.when.operatorHeld,
    );
  });

  it('fills facts into a remediation and leaves other braces alone', () => {
    assert.equal(
      scheduleStartFailedAlert({
        schedule: 'Morning',
        timelineId: 4,
        why: 'no such timeline',
        retryMs: 60_000,
      }).remediation,
      'Check the timeline and destinations of the schedule; it tries again every 60 s until its window ends.',
    );
    assert.equal(alertRemediation('CAMERA_OFFLINE', 'onBackup'), CODES.CAMERA_OFFLINE.when.onBackup);
  });

  it('a session restart, a resumed show and an encoder restart keep their sentences', () => {
    const facebook = destinationSessionRestartedAlert({
      destination: 'Page',
      ran: '8 h',
      platformLabel: 'Facebook',
      platform: 'facebook',
      limitHours: 8,
      operatorLimit: false,
    });
    assert.equal(
      facebook.message,
      'Destination "Page" started a new live session after 8 h (Facebook ends a live video after 8 h); the other destinations and the recording were not interrupted.',
    );
    assert.equal(facebook.remediation, CODES.DESTINATION_SESSION_RESTARTED.when.facebook);
    const resumed = showResumedAlert({
      timelineName: 'Harbour',
      position: '00:12:30',
      downSeconds: 95,
      lastSeenMs: Date.UTC(2026, 0, 1, 10, 0, 0),
      resumedAtMs: Date.UTC(2026, 0, 1, 10, 1, 35),
    });
    assert.equal(
      resumed.message,
      'The appliance stopped during "Harbour" and resumed it by itself at 00:12:30: the show was off air for about 95 s (last on air at 10:00:00 UTC, back at 10:01:35 UTC).',
    );
    assert.equal(encoderRestartedAlert().remediation, CODES.ENCODER_RESTARTED.remediation);
  });
});
