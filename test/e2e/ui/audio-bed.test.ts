// The audio bed, authored in a real browser against the real appliance: audio files made by
// ffmpeg uploaded and listed on the Media page; a music cue dropped on the builder's Audio lane,
// its playlist, volume and fades set, resized with snapping; a camera cue set to let the music
// replace its sound; saved, reloaded and seen again, and the document read back through the API.
// The licensing notice is visible wherever music is added; a bed naming a picture is refused;
// an audio file in use cannot be deleted; the loudness target is saved and shown in Settings.
// Screenshots: test-artifacts/ui/a2-*.png.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { a11yViolations } from '../../helpers/a11y.ts';
import { saveScreenshot, useBrowserUi } from '../../helpers/browser.ts';
import { box, cue, cueSpan, dragMouse, dropOnLane, waitForLabel, xAt } from '../../helpers/builder-ui.ts';
import { startCameraSim, type CameraSim } from '../../helpers/camera-sim.ts';
import { tempDir } from '../../helpers/temp.ts';

function ffmpeg(...args: string[]): void {
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args]);
}

async function assertNoA11yViolations(page: Page, where: string): Promise<void> {
  const violations = await a11yViolations(page);
  assert.deepEqual(violations, [], `${where}: ${JSON.stringify(violations, null, 2)}`);
}

interface StoredTimeline {
  document: {
    timeline: {
      tracks: {
        video: { cues: Array<{ id: string; params: { source_audio?: string } }> };
        audio?: {
          source_audio: string;
          duck_db: number;
          enabled: boolean;
          cues: Array<{
            id: string;
            start_time: number;
            duration: number;
            action: string;
            params: {
              asset_ids: number[];
              loop: boolean;
              volume_db: number;
              fade_in: number;
              fade_out: number;
            };
          }>;
        };
      };
    };
  };
}

describe('audio bed authoring (chromium)', () => {
  const ui = useBrowserUi();
  let sim: CameraSim;
  let files: ReturnType<typeof tempDir>;
  const media = { theme: '', gulls: '', picture: '' };

  before(async () => {
    files = tempDir('vistter-audio-bed-');
    media.theme = join(files.path, 'harbour-theme.mp3');
    ffmpeg(
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=4'],
      ...['-c:a', 'libmp3lame', '-b:a', '128k', media.theme],
    );
    media.gulls = join(files.path, 'gulls.wav');
    ffmpeg(...['-f', 'lavfi', '-i', 'sine=frequency=880:sample_rate=48000:duration=3'], media.gulls);
    media.picture = join(files.path, 'buoy.png');
    ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=1', '-frames:v', '1', media.picture);
    sim = await startCameraSim({ cameras: [{ name: 'quay', color: 0x2864c8 }] });
    ui.served.api.store.cameras.create({ name: 'Quay', stream_url: sim.url('quay') });
  });
  after(async () => {
    await sim?.stop();
    files?.cleanup();
  });

  it('uploads audio, builds a bed in the builder, saves it, and sees it again after a reload', async () => {
    const { page, context, pageErrors } = await ui.signedInPage();

    // Media: audio uploads are accepted and listed as audio.
    await page.goto('/assets');
    await page.getByRole('heading', { name: 'Media', exact: true }).waitFor();
    await page.getByLabel('Files to upload').setInputFiles([media.theme, media.gulls, media.picture]);
    const list = page.getByRole('list', { name: 'Media files' });
    for (const name of ['harbour-theme.mp3', 'gulls.wav', 'buoy.png'])
      await list.getByRole('listitem', { name }).waitFor({ timeout: 60_000 });
    assert.match(await list.getByRole('listitem', { name: 'harbour-theme.mp3' }).innerText(), /Audio/);
    assert.match(await list.getByRole('listitem', { name: 'gulls.wav' }).innerText(), /Audio/);
    await saveScreenshot(page, 'a2-01-media-audio');
    const assets = ui.served.api.store.assets.list();
    const idOf = (name: string) => assets.find((a) => a.filename === name)!.id;
    const theme = idOf('harbour-theme.mp3');
    const gulls = idOf('gulls.wav');
    const picture = idOf('buoy.png');
    assert.deepEqual(
      [theme, gulls].map((id) => assets.find((a) => a.id === id)!.asset_type),
      ['audio', 'audio'],
    );

    // The builder: a camera on the video lane, the theme dropped on the Audio lane.
    await page.goto('/timelines/new');
    await page.getByRole('heading', { name: 'New timeline' }).waitFor();
    await page.getByLabel('Timeline name').fill('Harbour with music');
    await page.getByLabel('Timeline length').fill('2:00');
    await page.getByLabel('Timeline length').press('Enter');
    await page.waitForFunction(
      (el) => el?.getAttribute('aria-valuemax') === '120',
      await page.getByRole('slider', { name: 'Playhead' }).elementHandle(),
    );
    const audioLane = page.getByRole('group', { name: 'Audio lane' });
    await audioLane.getByText(/No music: drag an audio file here/).waitFor();
    await page.getByRole('button', { name: 'Add Quay Camera 1', exact: true }).click();
    await cue(page, 'cam1_1').waitFor();
    await dropOnLane(
      page,
      page.getByRole('button', { name: 'Add harbour-theme.mp3 Music bed' }),
      audioLane,
      0.4,
    );
    const music = cue(page, 'music_1');
    await music.waitFor();
    // To the end of the 2-minute timeline, from where it was dropped (snapped to 0, the start).
    assert.match((await music.getAttribute('aria-label')) ?? '', /♪ harbour-theme\.mp3, 0:00–2:00/);
    const inspector = page.getByRole('complementary', { name: 'Inspector' });
    await inspector.getByRole('heading', { name: 'Music cue' }).waitFor();
    const licence = inspector.getByText(/unlicensed music can get the stream muted or taken down/);
    assert.equal(await licence.isVisible(), true, 'the licensing notice is shown with the music cue');
    assert.match(await licence.innerText(), /YouTube Content ID/);
    await saveScreenshot(page, 'a2-02-music-cue');

    // The playlist: add the gulls, move them first; volume and fade in.
    await inspector.getByLabel('Audio file').selectOption({ label: 'gulls.wav' });
    await inspector.getByRole('button', { name: 'Add to the playlist' }).click();
    await inspector.getByRole('button', { name: 'Move gulls.wav up' }).click();
    const playlist = inspector
      .getByRole('group', { name: 'Playlist (played in order)' })
      .getByRole('listitem');
    // Locators re-resolve: the list items are new elements once the order changes.
    await playlist.first().getByText('gulls.wav', { exact: true }).waitFor();
    assert.deepEqual(
      (await playlist.allInnerTexts()).map((text) => text.split('\n')[0]!.trim()),
      ['gulls.wav', 'harbour-theme.mp3'],
    );
    await inspector.getByLabel('Volume (dB)').fill('-6');
    await inspector.getByLabel('Fade in (s)').fill('3');

    // Resize the bed by its end edge onto the camera cue's end (0:30): it snaps there exactly.
    const edge = await box(page.getByTestId('resize-end-music_1'));
    const laneBox = await box(audioLane);
    // The handle sits just inside the cue's end: aim the end, not the handle, 0.4 s past 0:30.
    const handleInset = (await box(music)).x + (await box(music)).width - (edge.x + edge.width / 2);
    await dragMouse(
      page,
      { x: edge.x + edge.width / 2, y: edge.y + edge.height / 2 },
      { x: (await xAt(page, audioLane, 30.4)) - handleInset, y: laneBox.y + laneBox.height / 2 },
    );
    await waitForLabel(music, /0:00–0:30/);
    assert.deepEqual(await cueSpan(music), { start: 0, end: 30 });

    // The camera cue: its sound replaced by the music.
    await cue(page, 'cam1_1').click();
    const cameraSound = inspector.getByLabel('Camera sound under the music');
    assert.equal(await cameraSound.inputValue(), '');
    assert.match(
      await cameraSound.locator('option:checked').innerText(),
      /As the show \(duck the music under it\)/,
    );
    await cameraSound.selectOption('replace');

    // The bed's own settings.
    await page.getByRole('button', { name: /^Audio Music bed/ }).click();
    await inspector.getByRole('heading', { name: 'Audio bed' }).waitFor();
    assert.equal(await inspector.getByText(/YouTube Content ID/).isVisible(), true);
    await inspector.getByLabel('Duck the music by (dB)').fill('9');
    await inspector
      .getByText(/YouTube Content ID/)
      .evaluate((element) => element.scrollIntoView({ block: 'start', behavior: 'instant' }));
    await page.getByText('No problems').waitFor();
    await saveScreenshot(page, 'a2-03-audio-track');
    await assertNoA11yViolations(page, 'the builder with the audio bed');

    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('All changes saved').waitFor();
    const id = Number(/\/timelines\/(\d+)$/.exec(new URL(page.url()).pathname)?.[1]);
    assert.ok(id > 0, `saved at ${page.url()}`);

    // The saved document, through the API.
    const stored = (await ui.served.api.call('GET', `/api/timelines/${id}`)).json() as StoredTimeline;
    const { tracks } = stored.document.timeline;
    assert.ok(tracks.audio, 'the saved document has an audio bed');
    assert.deepEqual(
      {
        source_audio: tracks.audio.source_audio,
        duck_db: tracks.audio.duck_db,
        enabled: tracks.audio.enabled,
      },
      { source_audio: 'duck', duck_db: 9, enabled: true },
    );
    assert.equal(tracks.audio.cues.length, 1);
    const bedCue = tracks.audio.cues[0]!;
    assert.deepEqual(
      [bedCue.id, bedCue.action, bedCue.start_time, bedCue.duration],
      ['music_1', 'play_audio', 0, 30],
    );
    assert.deepEqual(bedCue.params, {
      asset_ids: [gulls, theme],
      loop: true,
      volume_db: -6,
      fade_in: 3,
      fade_out: 2,
    });
    assert.equal(tracks.video.cues[0]!.params.source_audio, 'replace');

    // Reloaded: the bed and the camera's choice are there again.
    await page.reload();
    await cue(page, 'music_1').waitFor();
    // Named once the media list has loaded.
    await waitForLabel(cue(page, 'music_1'), /♪ gulls\.wav \+ 1 more, 0:00–0:30/);
    await cue(page, 'music_1').click();
    await inspector.getByRole('heading', { name: 'Music cue' }).waitFor();
    assert.equal(await inspector.getByLabel('Volume (dB)').inputValue(), '-6');
    assert.equal(await inspector.getByLabel('Fade in (s)').inputValue(), '3');
    assert.deepEqual(
      (await playlist.allInnerTexts()).map((text) => text.split('\n')[0]!.trim()),
      ['gulls.wav', 'harbour-theme.mp3'],
    );
    await cue(page, 'cam1_1').click();
    assert.equal(await inspector.getByLabel('Camera sound under the music').inputValue(), 'replace');
    await inspector.getByLabel('Camera sound under the music').scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'a2-04-builder-reloaded');

    // A bed naming a picture is refused, with the asset named, and nothing is saved.
    const refused = await ui.served.api.call('PUT', `/api/timelines/${id}`, {
      timeline: {
        ...stored.document.timeline,
        tracks: {
          ...tracks,
          audio: {
            ...tracks.audio,
            cues: [{ ...bedCue, params: { ...bedCue.params, asset_ids: [picture] } }],
          },
        },
      },
    });
    assert.equal(refused.statusCode, 422, refused.body);
    const problem = refused.body;
    assert.match(problem, new RegExp(`asset ${picture} is an image, not audio`));
    assert.match(problem, /timeline\.tracks\.audio\.cues\[0\]\.params\.asset_ids\[0\]/);
    const after = (await ui.served.api.call('GET', `/api/timelines/${id}`)).json() as StoredTimeline;
    assert.deepEqual(after.document.timeline.tracks.audio?.cues[0]?.params.asset_ids, [gulls, theme]);

    // An audio file the bed uses cannot be deleted: the Media page says where it is used.
    await page.goto('/assets');
    await page.getByRole('button', { name: 'Delete harbour-theme.mp3' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete “harbour-theme.mp3”?' });
    await dialog.getByRole('button', { name: 'Delete file' }).click();
    await dialog
      .getByText(/uses it in cue music_1/)
      .waitFor()
      .catch(async (error: unknown) => {
        await saveScreenshot(page, 'a2-failed');
        throw error;
      });
    await saveScreenshot(page, 'a2-05-media-in-use');
    assert.ok(
      ui.served.api.store.assets.list().some((a) => a.id === theme),
      'the file is kept',
    );

    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('shows an overlap of two music cues where it is, with its fix, even within the fades', async () => {
    const { page, context, pageErrors } = await ui.signedInPage();
    await page.goto('/timelines/new');
    await page.getByRole('heading', { name: 'New timeline' }).waitFor();
    const inspector = page.getByRole('complementary', { name: 'Inspector' });
    const addTheme = page.getByRole('button', { name: 'Add harbour-theme.mp3 Music bed' });
    await addTheme.click();
    await cue(page, 'music_1').waitFor();
    await inspector.getByLabel('Length').fill('1:00');
    await inspector.getByLabel('Length').press('Enter');
    await waitForLabel(cue(page, 'music_1'), /0:00–1:00/);
    // Added again at the playhead (0:00): there is music there, so it goes after it.
    await addTheme.click();
    await waitForLabel(cue(page, 'music_2'), /1:00–5:00/);

    const start = inspector.getByRole('textbox', { name: 'Start' });
    const setStart = async (text: string) => {
      await start.fill(text);
      await start.press('Enter');
    };
    const problems = page.getByRole('region', { name: 'Problems' });
    const overlap = problems.getByText(
      /cue "music_2" starts at 50 s, while cue "music_1" \(0–60 s\) is still on/,
    );
    await setStart('0:50');
    await problems.getByText('1 problem to fix').waitFor();
    await overlap.waitFor();
    await waitForLabel(cue(page, 'music_2'), /0:50–.*1 problem/);
    await saveScreenshot(page, 'a2-07-music-overlap');

    // Overlapping by two seconds, inside both 2-second fades: still an overlap (one music cue at a time).
    await setStart('0:58');
    await problems
      .getByText(/cue "music_2" starts at 58 s, while cue "music_1" \(0–60 s\) is still on/)
      .waitFor();
    await waitForLabel(cue(page, 'music_2'), /0:58–.*1 problem/);

    // Back to ten seconds over: the fix beside the problem places it after music_1.
    await setStart('0:50');
    await overlap.waitFor();
    await problems.getByRole('button', { name: 'Place after the previous cue' }).click();
    await waitForLabel(cue(page, 'music_2'), /1:00–/);
    await problems.getByText('No problems').waitFor();

    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('saves the loudness target and shows it; an out-of-range number is refused in words', async () => {
    const { page, context, pageErrors } = await ui.signedInPage();
    await page.goto('/settings');
    const card = page.getByRole('region', { name: 'Sound' });
    await card.waitFor();
    await card.getByText('In force: −14 LUFS').waitFor();
    const target = card.getByLabel('Loudness target');
    assert.match(await target.locator('option:checked').innerText(), /−14 LUFS: YouTube/);

    await target.selectOption({ label: 'Another target…' });
    await card.getByLabel('Target (LUFS)').fill('-40');
    await card.getByRole('button', { name: 'Save loudness target' }).click();
    await card
      .getByText(/−40 LUFS is out of range: choose from −36 LUFS \(quiet\) to −8 LUFS \(loud\)/)
      .waitFor();
    const unchanged = (await ui.served.api.call('GET', '/api/settings')).json() as Record<string, unknown>;
    assert.equal(unchanged['audio.loudness_target'] ?? null, null);

    await card.getByLabel('Target (LUFS)').fill('-18');
    await card.getByRole('button', { name: 'Save loudness target' }).click();
    await card.getByText('Saved: the program’s loudness is held at −18 LUFS.').waitFor();
    await card.getByText('In force: −18 LUFS').waitFor();
    const saved = (await ui.served.api.call('GET', '/api/settings')).json() as Record<string, unknown>;
    assert.equal(saved['audio.loudness_target'], -18);
    await saveScreenshot(page, 'a2-06-settings-loudness');
    await assertNoA11yViolations(page, 'settings with the Sound card');

    await page.reload();
    await card.getByText('In force: −18 LUFS').waitFor();
    assert.equal(await card.getByLabel('Loudness target').inputValue(), 'own');
    assert.equal(await card.getByLabel('Target (LUFS)').inputValue(), '-18');

    await card.getByLabel('Loudness target').selectOption({ label: 'Off: no loudness control' });
    await card.getByRole('button', { name: 'Save loudness target' }).click();
    await card.getByText('In force: off').waitFor();
    const off = (await ui.served.api.call('GET', '/api/settings')).json() as Record<string, unknown>;
    assert.equal(off['audio.loudness_target'], 'off');

    assert.deepEqual(pageErrors, []);
    await context.close();
  });
});
