// The ring of recent log lines behind the Log page: bounded, newest first, filtered by level,
// component and text; fed by the real logger, whose redaction already removed the secrets.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRootLogger } from '../../../src/core/logger.ts';
import { RecentLogLines, parseLogLine } from '../../../src/core/recent-logs.ts';

function line(level: number, component: string, msg: string, extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ level, time: Date.parse('2026-12-06T14:00:00Z'), pid: 1, hostname: 'h', app: 'vistterstream', component, ...extra, msg })}\n`;
}

describe('RecentLogLines', () => {
  it('keeps only the newest lines once full, newest first, counting what it keeps', () => {
    const ring = new RecentLogLines(3);
    for (let i = 1; i <= 5; i++) ring.push(line(30, 'engine', `line ${i}`));
    const answer = ring.query();
    assert.deepEqual(
      answer.lines.map((l) => l.message),
      ['line 5', 'line 4', 'line 3'],
    );
    assert.deepEqual(
      answer.lines.map((l) => l.seq),
      [4, 3, 2],
    );
    assert.equal(answer.kept, 3);
    assert.equal(answer.capacity, 3);
  });

  it('filters by level (that level and worse), component, text anywhere, and a limit', () => {
    const ring = new RecentLogLines(10);
    ring.push(line(20, 'api', 'request done'));
    ring.push(line(30, 'engine', 'encoder started', { part: 'encoder', preset: 'veryfast' }));
    ring.push(line(40, 'engine', 'camera 2 slow'));
    ring.push(line(50, 'shows', 'the show could not run', { err: 'spawn failed' }));
    ring.push('not json at all\n');
    assert.deepEqual(
      ring.query({ level: 'warn' }).lines.map((l) => l.level),
      ['error', 'warn'],
    );
    assert.deepEqual(
      ring.query({ component: 'engine' }).lines.map((l) => l.message),
      ['camera 2 slow', 'encoder started'],
    );
    // Text matches the details too ("part=encoder"), in any case.
    assert.deepEqual(
      ring.query({ text: 'ENCODER' }).lines.map((l) => l.message),
      ['encoder started'],
    );
    assert.deepEqual(
      ring.query({ text: 'spawn' }).lines.map((l) => l.component),
      ['shows'],
    );
    assert.equal(ring.query({ limit: 2 }).lines.length, 2);
    assert.deepEqual(ring.query().components, ['api', 'engine', 'shows']);
  });

  it('shows a line as time, level, component, message and the other fields as key=value', () => {
    const parsed = parseLogLine(line(40, 'engine', 'slow', { camera: 2, note: 'two words' }), 7);
    assert.deepEqual(parsed, {
      seq: 7,
      time: '2026-12-06T14:00:00.000Z',
      level: 'warn',
      component: 'engine',
      message: 'slow',
      details: 'camera=2 note="two words"',
    });
    assert.equal(parseLogLine('[1,2]', 0), null);
  });

  it('is fed by the logger with lines already redacted: no stream key or camera password in it', () => {
    const ring = new RecentLogLines(50);
    const written: string[] = [];
    const logger = createRootLogger({
      level: 'info',
      destination: { write: (text: string) => written.push(text) },
      recent: ring,
    });
    const log = logger.child({ component: 'publisher' });
    log.info({ url: 'rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl-7q1w' }, 'publishing');
    log.warn('camera rtsp://admin:Hunter2-cam-pw@192.168.1.20:554/stream did not answer');
    log.debug('not kept: below the level');
    assert.equal(written.length, 2, 'the destination still gets every line');
    const kept = ring.query();
    assert.equal(kept.lines.length, 2);
    const text = JSON.stringify(kept);
    assert.equal(text.includes('abcd-efgh-ijkl-7q1w'), false, text);
    assert.equal(text.includes('Hunter2-cam-pw'), false, text);
    assert.match(text, /192\.168\.1\.20/, 'the host a person needs is still there');
    assert.deepEqual(
      kept.lines.map((l) => l.component),
      ['publisher', 'publisher'],
    );
  });
});
