import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { isAppError } from '../../../src/errors/registry.ts';
import { openStore, type Store } from '../../../src/store/store.ts';
import { validateTimelineDocument } from '../../../src/timeline/validate.ts';
import { tempDir } from '../../helpers/temp.ts';
import { mustValidate, specExampleJson } from '../../helpers/timelines.ts';

function count(store: Store, table: string): number {
  return (store.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
}

describe('timeline store on a fresh migrated database file', () => {
  const dir = tempDir();
  let store: Store;
  before(() => {
    store = openStore({ dataDir: dir.path, secretKey: randomBytes(32) });
  });
  after(() => {
    store.close();
    dir.cleanup();
  });

  it('stores the spec example in the spec tables', () => {
    const { id, warnings } = store.timelines.create(specExampleJson());
    assert.equal(warnings.length, 1, 'the trailing gap is reported as a warning');
    const row = store.db
      .prepare('SELECT name, duration, fps, resolution FROM timelines WHERE id = ?')
      .get(id);
    assert.deepEqual(row, { name: 'Daily Marina Stream', duration: 3600, fps: 30, resolution: '1920x1080' });
    const tracks = store.db
      .prepare(
        'SELECT track_key, track_type, layer FROM timeline_tracks WHERE timeline_id = ? ORDER BY position',
      )
      .all(id);
    assert.deepEqual(tracks, [
      { track_key: 'video_main', track_type: 'video', layer: 0 },
      { track_key: 'overlay_1', track_type: 'overlay', layer: 1 },
      { track_key: 'overlay_2', track_type: 'overlay', layer: 2 },
    ]);
    const fade = store.db
      .prepare(
        `SELECT transition_type, transition_duration, json_extract(action_params, '$.camera_id') AS cam
                FROM timeline_cues WHERE cue_key = 'cue_v3'`,
      )
      .get();
    assert.deepEqual(fade, { transition_type: 'fade', transition_duration: 1, cam: 2 });
  });

  it('round-trips: import → export → import is identity', () => {
    const original = specExampleJson();
    // Exercise every optional field so nothing is silently dropped.
    Object.assign(original.timeline, { description: 'Harbour, all day', loop: true });
    const tracks = original.timeline.tracks as { overlays: Array<Record<string, unknown>> };
    tracks.overlays[1]!['name'] = 'Tide info';
    tracks.overlays[1]!['enabled'] = false;
    tracks.overlays.push({
      track_id: 'weather',
      type: 'overlay',
      layer: 7,
      cues: [
        {
          id: 'w1',
          start_time: 0.1,
          duration: 1 / 3,
          repeat: { every: 600, until: 3000.5 },
          action: 'show_overlay',
          params: {
            type: 'dynamic_text',
            template: '{temp} °C',
            data_url: 'http://127.0.0.1:9/w.json',
            position: { x: 10, y: 20 },
          },
        },
      ],
    });
    const first = store.timelines.create(original).id;
    const exported = store.timelines.export(first);
    assert.deepEqual(exported, mustValidate(original), 'export equals the validated original');
    const second = store.timelines.create(JSON.parse(JSON.stringify(exported))).id;
    assert.notEqual(second, first);
    assert.deepEqual(store.timelines.export(second), exported);
    const reparsed = validateTimelineDocument(exported);
    assert.ok(reparsed.ok);
    assert.deepEqual(reparsed.document, exported, 'validation of the canonical form is idempotent');
  });

  it('keeps cue order as written, even when not chronological', () => {
    const doc = specExampleJson();
    const video = (doc.timeline.tracks as { video: { cues: unknown[] } }).video;
    video.cues.reverse();
    const id = store.timelines.create(doc).id;
    assert.deepEqual(
      store.timelines.export(id).timeline.tracks.video.cues.map((c) => c.id),
      ['cue_v3', 'cue_v2', 'cue_v1'],
    );
  });

  it('rejects an invalid timeline with paths and writes nothing', () => {
    const before = ['timelines', 'timeline_tracks', 'timeline_cues'].map((t) => count(store, t));
    const doc = specExampleJson();
    (doc.timeline.tracks as { video: { cues: Array<{ start_time: number }> } }).video.cues[2]!.start_time =
      61;
    assert.throws(
      () => store.timelines.create(doc),
      (error) =>
        isAppError(error) &&
        error.code === 'TIMELINE_INVALID' &&
        error.issues.some((i) => i.path === 'timeline.tracks.video.cues[2].start_time'),
    );
    assert.deepEqual(
      ['timelines', 'timeline_tracks', 'timeline_cues'].map((t) => count(store, t)),
      before,
    );
  });

  it('rolls back a write that fails half-way (no half-written timeline)', () => {
    const before = ['timelines', 'timeline_tracks', 'timeline_cues'].map((t) => count(store, t));
    store.db.exec(`CREATE TRIGGER fail_last_cue BEFORE INSERT ON timeline_cues WHEN NEW.cue_key = 'cue_o3'
                   BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END`);
    try {
      assert.throws(() => store.timelines.create(specExampleJson()), /disk full/);
      assert.deepEqual(
        ['timelines', 'timeline_tracks', 'timeline_cues'].map((t) => count(store, t)),
        before,
      );
      const existing = store.timelines.list()[0]!.id;
      const prior = store.timelines.export(existing);
      const changed = specExampleJson();
      changed.timeline['name'] = 'Renamed';
      assert.throws(() => store.timelines.replace(existing, changed), /disk full/);
      assert.deepEqual(
        store.timelines.export(existing),
        prior,
        'a failed replace keeps the old version whole',
      );
    } finally {
      store.db.exec('DROP TRIGGER fail_last_cue');
    }
  });

  it('replaces, lists, clones and deletes', () => {
    const { id } = store.timelines.create(specExampleJson());
    const changed = specExampleJson();
    changed.timeline['name'] = 'Evening Marina Stream';
    changed.timeline['duration'] = 1800;
    store.timelines.replace(id, changed);
    assert.equal(store.timelines.get(id).document.timeline.duration, 1800);

    const cloneId = store.timelines.clone(id);
    const clone = store.timelines.export(cloneId).timeline;
    assert.equal(clone.name, 'Evening Marina Stream (copy)');
    assert.equal(clone.id, undefined);
    assert.deepEqual(clone.tracks, store.timelines.export(id).timeline.tracks);

    const listed = store.timelines.list().find((t) => t.id === id);
    assert.deepEqual(listed && [listed.name, listed.overlay_tracks, listed.cues], [
      'Evening Marina Stream',
      2,
      6,
    ]);

    const tracksOf = (timelineId: number) =>
      (
        store.db
          .prepare('SELECT COUNT(*) AS n FROM timeline_tracks WHERE timeline_id = ?')
          .get(timelineId) as { n: number }
      ).n;
    assert.equal(tracksOf(cloneId), 3);
    store.timelines.delete(cloneId);
    assert.equal(tracksOf(cloneId), 0, 'tracks cascade with their timeline');
    assert.throws(
      () => store.timelines.get(cloneId),
      (e) => isAppError(e) && e.code === 'TIMELINE_NOT_FOUND',
    );
  });

  it('finds timelines using an asset', () => {
    const doc = specExampleJson();
    const cue = (doc.timeline.tracks as { video: { cues: Array<{ params: Record<string, unknown> }> } }).video
      .cues[1]!;
    delete cue.params['media_url'];
    cue.params['asset_id'] = 42;
    const { id } = store.timelines.create(doc);
    assert.deepEqual(store.timelines.usingAsset(42), [{ id, name: 'Daily Marina Stream', cue_id: 'cue_v2' }]);
    assert.deepEqual(store.timelines.usingAsset(43), []);
  });
  it('keeps the audio bed: round-trips it and finds its assets in use', () => {
    const doc = specExampleJson();
    const tracks = doc.timeline.tracks as Record<string, unknown>;
    tracks['audio'] = {
      track_id: 'bed',
      type: 'audio',
      source_audio: 'replace',
      cues: [
        { id: 'music', start_time: 0, duration: 60, action: 'play_audio', params: { asset_ids: [7, 8] } },
      ],
    };
    const { id } = store.timelines.create(doc);
    const stored = store.timelines.get(id).document.timeline.tracks.audio;
    assert.deepEqual(stored, {
      track_id: 'bed',
      type: 'audio',
      enabled: true,
      source_audio: 'replace',
      duck_db: 12,
      cues: [
        {
          id: 'music',
          start_time: 0,
          duration: 60,
          action: 'play_audio',
          params: { asset_ids: [7, 8], loop: true, volume_db: 0, fade_in: 2, fade_out: 2 },
        },
      ],
    });
    assert.deepEqual(store.timelines.usingAsset(8), [{ id, name: 'Daily Marina Stream', cue_id: 'music' }]);
  });
});
