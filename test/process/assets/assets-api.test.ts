// The asset library through the HTTP API, with real files made by ffmpeg, real ffprobe/ffmpeg
// during ingest and a real SQLite file.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cleanIncomingUploads, formatBytes } from '../../../src/assets/ingest.ts';
import { probe } from '../../../src/ffmpeg/probe.ts';
import type { Asset } from '../../../src/store/repositories/records.ts';
import { createApiHarness, type ApiHarness } from '../../helpers/api.ts';
import { tempDir } from '../../helpers/temp.ts';

const BOUNDARY = '----vistter-test-boundary-7d1f';

interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer | string;
}

/** A multipart/form-data body built by hand, exactly as a browser sends it. */
function multipart(parts: Part[], { close = true } = {}): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${
      part.filename !== undefined ? `; filename="${part.filename}"` : ''
    }`;
    chunks.push(
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n` +
          (part.contentType ? `Content-Type: ${part.contentType}\r\n` : '') +
          '\r\n',
      ),
      Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data),
      Buffer.from('\r\n'),
    );
  }
  if (close) chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

const MULTIPART = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };

function upload(api: ApiHarness, data: Buffer, filename: string, contentType = 'application/octet-stream') {
  return api.call(
    'POST',
    '/api/assets',
    multipart([{ name: 'file', filename, contentType, data }]),
    MULTIPART,
  );
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** Every file under a folder (relative paths, sorted), to prove a failed upload left nothing. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(relative(dir, full));
    }
  };
  walk(dir);
  return out.sort();
}

function ffmpeg(...args: string[]): void {
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args]);
}

interface Media {
  png: Buffer;
  png2: Buffer;
  jpeg: Buffer;
  mp4: Buffer;
  mp4Faststart: Buffer;
  wav: Buffer;
}

function makeMedia(dir: string): Media {
  const at = (name: string) => join(dir, name);
  ffmpeg('-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=1', '-frames:v', '1', at('photo.png'));
  ffmpeg('-f', 'lavfi', '-i', 'color=c=0x3366cc:size=64x48', '-frames:v', '1', at('blue.png'));
  ffmpeg(
    ...['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=1', '-frames:v', '1'],
    ...['-vf', 'scale=641:361,format=yuvj444p', at('photo.jpg')],
  );
  ffmpeg(
    ...['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
    ...['-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '25'],
    ...['-c:a', 'aac', '-shortest', at('clip.mp4')],
  );
  ffmpeg('-i', at('clip.mp4'), '-c', 'copy', '-movflags', '+faststart', at('clip-faststart.mp4'));
  ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '1', at('tone.wav'));
  return {
    png: readFileSync(at('photo.png')),
    png2: readFileSync(at('blue.png')),
    jpeg: readFileSync(at('photo.jpg')),
    mp4: readFileSync(at('clip.mp4')),
    mp4Faststart: readFileSync(at('clip-faststart.mp4')),
    wav: readFileSync(at('tone.wav')),
  };
}

function timelineUsing(name: string, media: Record<string, unknown>, logo?: Record<string, unknown>) {
  return {
    timeline: {
      name,
      duration: 10,
      fps: 30,
      resolution: '1280x720',
      tracks: {
        video: {
          track_id: 'v',
          type: 'video',
          cues: [{ id: 'media1', start_time: 0, duration: 10, action: 'show_media', params: media }],
        },
        overlays: logo
          ? [
              {
                track_id: 'o',
                type: 'overlay',
                layer: 1,
                cues: [
                  {
                    id: 'logo1',
                    start_time: 0,
                    duration: 5,
                    action: 'show_overlay',
                    params: { type: 'logo', ...logo },
                  },
                ],
              },
            ]
          : [],
      },
    },
  };
}

describe('asset library API (real ffmpeg, real SQLite)', () => {
  const work = tempDir('vistter-assets-media-');
  let media: Media;
  let api: ApiHarness;
  let assetsDir: string;
  const rowCount = () => api.store.db.prepare('SELECT COUNT(*) FROM assets').pluck().get() as number;

  /** Runs a request that must fail and checks it left no row and no file behind. */
  async function leavesNothing<T>(action: () => Promise<T>): Promise<T> {
    const files = filesUnder(assetsDir);
    const rows = rowCount();
    const result = await action();
    assert.deepEqual(filesUnder(assetsDir), files, 'no file was added or removed under assets/');
    assert.equal(rowCount(), rows, 'no row was added');
    assert.deepEqual(filesUnder(join(assetsDir, '.incoming')), [], 'nothing left in .incoming');
    return result;
  }

  before(async () => {
    media = makeMedia(work.path);
    api = await createApiHarness();
    assetsDir = join(api.dataDir, 'assets');
    await api.signIn();
  });
  after(async () => {
    await api.close();
    work.cleanup();
  });

  const uploaded: Record<string, Asset> = {};

  it('stores a PNG: row, file named by its SHA-256, metadata, thumbnail, identical download', async () => {
    const response = await upload(api, media.png, 'Stage Photo.png', 'image/png');
    assert.equal(response.statusCode, 201, response.body);
    const asset = response.json() as Asset;
    uploaded['png'] = asset;
    const checksum = sha256(media.png);
    assert.equal(asset.checksum, checksum);
    assert.equal(asset.asset_type, 'image');
    assert.equal(asset.mime_type, 'image/png');
    assert.equal(asset.filename, 'Stage Photo.png');
    assert.equal(asset.file_size, media.png.length);
    assert.equal(asset.file_path, `assets/${checksum}.png`);
    assert.deepEqual(api.store.assets.get(asset.id), asset, 'the answer is the stored row');
    const onDisk = readFileSync(join(api.dataDir, asset.file_path));
    assert.equal(sha256(onDisk), checksum);
    assert.equal(asset.metadata?.['width'], 640);
    assert.equal(asset.metadata?.['height'], 360);
    assert.equal(asset.metadata?.['duration'], null);
    assert.equal(asset.metadata?.['thumbnail'], true);

    const download = await api.call('GET', `/api/assets/${asset.id}/file`);
    assert.equal(download.statusCode, 200);
    assert.equal(download.headers['content-type'], 'image/png');
    assert.equal(Number(download.headers['content-length']), media.png.length);
    assert.match(String(download.headers['content-disposition']), /^attachment; filename="Stage Photo.png"/);
    assert.ok(download.rawPayload.equals(media.png), 'the download is byte-identical');

    const thumb = await api.call('GET', `/api/assets/${asset.id}/thumbnail.jpg`);
    assert.equal(thumb.statusCode, 200);
    assert.equal(thumb.headers['content-type'], 'image/jpeg');
    assert.deepEqual([...thumb.rawPayload.subarray(0, 3)], [0xff, 0xd8, 0xff]);
    const thumbFile = join(work.path, 'png-thumb.jpg');
    writeFileSync(thumbFile, thumb.rawPayload);
    const info = await probe(thumbFile);
    assert.equal(info.width, 320, 'scaled down to 320 wide');
    assert.equal(info.height, 180, 'aspect kept');
    assert.ok(existsSync(join(assetsDir, `${checksum}.thumb.jpg`)), 'the thumbnail sits next to the asset');
  });

  it('stores a JPEG with odd dimensions', async () => {
    const response = await upload(api, media.jpeg, 'photo.jpg', 'image/jpeg');
    assert.equal(response.statusCode, 201, response.body);
    const asset = response.json() as Asset;
    uploaded['jpeg'] = asset;
    assert.equal(asset.mime_type, 'image/jpeg');
    assert.equal(asset.file_path, `assets/${sha256(media.jpeg)}.jpg`);
    assert.equal(asset.metadata?.['width'], 641);
    assert.equal(asset.metadata?.['height'], 361);
    const thumb = await api.call('GET', `/api/assets/${asset.id}/thumbnail.jpg`);
    assert.equal(thumb.statusCode, 200);
    assert.deepEqual([...thumb.rawPayload.subarray(0, 3)], [0xff, 0xd8, 0xff]);
  });

  it('stores a 2 s MP4 with audio: duration, codecs, thumbnail, download and ranges', async () => {
    // The client's name and type say "image": the content decides.
    const response = await upload(api, media.mp4, 'holiday.png', 'image/png');
    assert.equal(response.statusCode, 201, response.body);
    const asset = response.json() as Asset;
    uploaded['mp4'] = asset;
    assert.equal(asset.asset_type, 'video');
    assert.equal(asset.mime_type, 'video/mp4');
    assert.equal(asset.file_path, `assets/${sha256(media.mp4)}.mp4`);
    assert.equal(asset.metadata?.['width'], 320);
    assert.equal(asset.metadata?.['height'], 180);
    const duration = asset.metadata?.['duration'] as number;
    assert.ok(Math.abs(duration - 2) < 0.15, `duration ${duration}`);
    assert.equal(asset.metadata?.['video_codec'], 'h264');
    assert.equal(asset.metadata?.['audio_codec'], 'aac');
    assert.equal(asset.metadata?.['fps'], 25);

    const download = await api.call('GET', `/api/assets/${asset.id}/file`);
    assert.equal(download.headers['content-type'], 'video/mp4');
    assert.ok(download.rawPayload.equals(media.mp4));
    const part = await api.call('GET', `/api/assets/${asset.id}/file`, undefined, { range: 'bytes=100-199' });
    assert.equal(part.statusCode, 206);
    assert.equal(part.headers['content-range'], `bytes 100-199/${media.mp4.length}`);
    assert.ok(part.rawPayload.equals(media.mp4.subarray(100, 200)));

    const thumb = await api.call('GET', `/api/assets/${asset.id}/thumbnail.jpg`);
    assert.equal(thumb.statusCode, 200);
    const thumbFile = join(work.path, 'mp4-thumb.jpg');
    writeFileSync(thumbFile, thumb.rawPayload);
    const info = await probe(thumbFile);
    assert.equal(info.videoCodec, 'mjpeg');
    assert.equal(info.width, 320);
  });

  it('stores a WAV as audio, without a thumbnail', async () => {
    const response = await upload(api, media.wav, 'tone.wav');
    assert.equal(response.statusCode, 201, response.body);
    const asset = response.json() as Asset;
    uploaded['wav'] = asset;
    assert.equal(asset.asset_type, 'audio');
    assert.equal(asset.mime_type, 'audio/wav');
    assert.equal(asset.metadata?.['audio_codec'], 'pcm_s16le');
    assert.equal(asset.metadata?.['sample_rate'], 48000);
    assert.equal(asset.metadata?.['width'], null);
    const duration = asset.metadata?.['duration'] as number;
    assert.ok(Math.abs(duration - 1) < 0.05, `duration ${duration}`);
    const thumb = await api.call('GET', `/api/assets/${asset.id}/thumbnail.jpg`);
    assert.equal(thumb.statusCode, 404);
    assert.equal(thumb.json().code, 'ASSET_NO_THUMBNAIL');
    const download = await api.call('GET', `/api/assets/${asset.id}/file`);
    assert.ok(download.rawPayload.equals(media.wav));
    assert.equal(filesUnder(assetsDir).filter((f) => f.startsWith(sha256(media.wav))).length, 1);
  });

  it('lists, filters by type and searches file names (the search is literal)', async () => {
    const all = (await api.call('GET', '/api/assets')).json() as Asset[];
    assert.deepEqual(
      all.map((a) => a.id),
      [uploaded['png']!.id, uploaded['jpeg']!.id, uploaded['mp4']!.id, uploaded['wav']!.id],
    );
    const images = (await api.call('GET', '/api/assets?type=image')).json() as Asset[];
    assert.deepEqual(images.map((a) => a.filename).sort(), ['Stage Photo.png', 'photo.jpg']);
    const search = (await api.call('GET', '/api/assets?q=PHOTO')).json() as Asset[];
    assert.deepEqual(search.map((a) => a.filename).sort(), ['Stage Photo.png', 'photo.jpg']);
    const both = (await api.call('GET', '/api/assets?type=image&q=stage')).json() as Asset[];
    assert.deepEqual(
      both.map((a) => a.filename),
      ['Stage Photo.png'],
    );
    assert.deepEqual((await api.call('GET', '/api/assets?q=%25')).json(), [], '"%" is not a wildcard');
    const one = await api.call('GET', `/api/assets/${uploaded['wav']!.id}`);
    assert.deepEqual(one.json(), uploaded['wav']);
    const bad = await api.call('GET', '/api/assets?type=document');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().issues[0].path, 'query.type');
  });

  it('the same content uploaded again answers 200 with the existing asset', async () => {
    const response = await leavesNothing(() => upload(api, media.png, 'copy of photo.png'));
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), uploaded['png']);
  });

  it('a text file named .png is refused (415) and leaves nothing', async () => {
    const response = await leavesNothing(() =>
      upload(api, Buffer.from('just some notes, not a picture\n'.repeat(10)), 'notes.png', 'image/png'),
    );
    assert.equal(response.statusCode, 415);
    assert.equal(response.json().code, 'ASSET_UNSUPPORTED');
  });

  it('an empty file is refused (415) and leaves nothing', async () => {
    const response = await leavesNothing(() => upload(api, Buffer.alloc(0), 'empty.png'));
    assert.equal(response.statusCode, 415);
    assert.equal(response.json().code, 'ASSET_UNSUPPORTED');
  });

  it('damaged MP4s with a valid header answer 422 and leave nothing', async () => {
    const damaged: Array<[string, Buffer]> = [
      ['index at the end, cut in half', media.mp4.subarray(0, Math.floor(media.mp4.length / 2))],
      [
        'index at the front, cut to 30 %',
        media.mp4Faststart.subarray(0, Math.floor(media.mp4Faststart.length * 0.3)),
      ],
      [
        'index at the front, cut to 80 %',
        media.mp4Faststart.subarray(0, Math.floor(media.mp4Faststart.length * 0.8)),
      ],
      ['ftyp header, then noise', Buffer.concat([media.mp4.subarray(0, 32), randomBytes(20_000)])],
    ];
    for (const [name, data] of damaged) {
      const response = await leavesNothing(() => upload(api, data, 'broken.mp4', 'video/mp4'));
      assert.equal(response.statusCode, 422, `${name}: ${response.body}`);
      assert.equal(response.json().code, 'ASSET_UNREADABLE', name);
    }
  });

  it('a file name like ../../etc/passwd is only a display name', async () => {
    const response = await upload(api, media.png2, '../../etc/passwd', 'image/png');
    assert.equal(response.statusCode, 201, response.body);
    const asset = response.json() as Asset;
    assert.equal(asset.filename, 'passwd');
    assert.equal(asset.file_path, `assets/${sha256(media.png2)}.png`);
    assert.ok(!filesUnder(api.dataDir).some((f) => f.includes('passwd')), 'no file is named after it');
    const download = await api.call('GET', `/api/assets/${asset.id}/file`);
    assert.match(String(download.headers['content-disposition']), /filename="passwd"/);
    assert.ok(download.rawPayload.equals(media.png2));
    uploaded['png2'] = asset;
  });

  it('ids only: a path in the URL or in a row never reaches the file system', async () => {
    const traversal = await api.call('GET', '/api/assets/..%2F..%2Fvistter.db/file');
    assert.equal(traversal.statusCode, 400);
    // A row pointing outside the assets folder (imported or tampered with) is not served or deleted.
    const database = filesUnder(api.dataDir).find((f) => f.endsWith('.db'));
    assert.ok(database, 'the database file exists');
    const rogue = api.store.assets.create({
      asset_type: 'image',
      filename: 'rogue.png',
      file_path: `assets/../${database}`,
      file_size: 1,
      mime_type: 'image/png',
      checksum: 'f'.repeat(64),
      metadata: null,
    });
    const read = await api.call('GET', `/api/assets/${rogue.id}/file`);
    assert.equal(read.statusCode, 404);
    assert.equal(read.json().code, 'ASSET_NOT_FOUND');
    assert.equal((await api.call('DELETE', `/api/assets/${rogue.id}`)).statusCode, 204);
    assert.ok(existsSync(join(api.dataDir, database)), 'the database file is untouched');
  });

  it('a cut-off upload answers 400 UPLOAD_INCOMPLETE and leaves nothing', async () => {
    const body = multipart([{ name: 'file', filename: 'cut.mp4', data: media.mp4Faststart }], {
      close: false,
    });
    const cut = body.subarray(0, body.length - 5000);
    const response = await leavesNothing(() => api.call('POST', '/api/assets', cut, MULTIPART));
    assert.equal(response.statusCode, 400, response.body);
    assert.equal(response.json().code, 'UPLOAD_INCOMPLETE');
  });

  it('a request without a file, or not multipart, is refused', async () => {
    const noFile = await leavesNothing(() =>
      api.call('POST', '/api/assets', multipart([{ name: 'title', data: 'x' }]), MULTIPART),
    );
    assert.equal(noFile.statusCode, 400);
    assert.equal(noFile.json().code, 'VALIDATION_FAILED');
    assert.equal(noFile.json().issues[0].path, 'file');
    const wrongField = await leavesNothing(() =>
      api.call(
        'POST',
        '/api/assets',
        multipart([{ name: 'upload', filename: 'a.png', data: media.png2 }]),
        MULTIPART,
      ),
    );
    assert.equal(wrongField.statusCode, 400);
    const json = await leavesNothing(() => api.call('POST', '/api/assets', { file: 'x' }));
    assert.equal(json.statusCode, 415);
  });

  it('without signing in nothing is stored', async () => {
    const response = await leavesNothing(() =>
      api.app.inject({
        method: 'POST',
        url: '/api/assets',
        payload: multipart([{ name: 'file', filename: 'x.png', data: randomBytes(10) }]),
        headers: MULTIPART,
      }),
    );
    assert.equal(response.statusCode, 401);
  });

  it('delete: 409 naming the timelines that use the asset, then gone from disk and table', async () => {
    const image = uploaded['png']!;
    const morning = api.store.timelines.create(
      timelineUsing('Morning show', { asset_id: image.id, media_type: 'image' }),
    ).id;
    const evening = api.store.timelines.create(
      timelineUsing('Evening show', { media_url: '/assets/other.png' }, { asset_id: image.id }),
    ).id;
    const refused = await leavesNothing(() => api.call('DELETE', `/api/assets/${image.id}`));
    assert.equal(refused.statusCode, 409);
    const error = refused.json();
    assert.equal(error.code, 'ASSET_IN_USE');
    assert.deepEqual(error.timelines, [
      { id: morning, name: 'Morning show', cue_ids: ['media1'] },
      { id: evening, name: 'Evening show', cue_ids: ['logo1'] },
    ]);
    assert.match(error.message, /2 timelines: .*"Morning show", .*"Evening show"/);
    assert.equal(error.issues.length, 2);

    api.store.timelines.delete(morning);
    const still = await leavesNothing(() => api.call('DELETE', `/api/assets/${image.id}`));
    assert.equal(still.statusCode, 409);
    assert.deepEqual(
      still.json().timelines.map((t: { name: string }) => t.name),
      ['Evening show'],
    );
    api.store.timelines.delete(evening);
    const deleted = await api.call('DELETE', `/api/assets/${image.id}`);
    assert.equal(deleted.statusCode, 204);
    assert.ok(!existsSync(join(api.dataDir, image.file_path)), 'the file is gone');
    assert.ok(!existsSync(join(assetsDir, `${image.checksum}.thumb.jpg`)), 'the thumbnail is gone');
    assert.equal(api.store.db.prepare('SELECT COUNT(*) FROM assets WHERE id = ?').pluck().get(image.id), 0);
    assert.equal((await api.call('GET', `/api/assets/${image.id}`)).statusCode, 404);
    assert.equal((await api.call('DELETE', `/api/assets/${image.id}`)).statusCode, 404);
  });

  it('an asset named by its upload name in a timeline ("/assets/<name>", any case) is in use too', async () => {
    const photo = uploaded['jpeg']!;
    const timeline = api.store.timelines.create(
      timelineUsing('Photo show', { media_url: `/assets/${photo.filename.toUpperCase()}` }),
    );
    const refused = await api.call('DELETE', `/api/assets/${photo.id}`);
    assert.equal(refused.statusCode, 409);
    assert.deepEqual(refused.json().timelines, [
      { id: timeline.id, name: 'Photo show', cue_ids: ['media1'] },
    ]);
    api.store.timelines.delete(timeline.id);
  });

  it('an asset named by its path in a timeline (image_url "/assets/…") is in use too', async () => {
    const logo = uploaded['png2']!;
    const timeline = api.store.timelines.create(
      timelineUsing(
        'Logo show',
        { media_url: '/assets/other.png' },
        { image_url: `/assets/./${logo.file_path.slice(7)}` },
      ),
    );
    const refused = await api.call('DELETE', `/api/assets/${logo.id}`);
    assert.equal(refused.statusCode, 409);
    assert.deepEqual(refused.json().timelines, [{ id: timeline.id, name: 'Logo show', cue_ids: ['logo1'] }]);
    api.store.timelines.delete(timeline.id);
    assert.equal((await api.call('DELETE', `/api/assets/${logo.id}`)).statusCode, 204);
    assert.ok(!existsSync(join(api.dataDir, logo.file_path)));
  });

  it('cleanIncomingUploads removes what an interrupted upload left', async () => {
    const incoming = join(assetsDir, '.incoming');
    mkdirSync(incoming, { recursive: true });
    writeFileSync(join(incoming, 'left-behind.part'), 'half a file');
    writeFileSync(join(incoming, 'left-behind.thumb.jpg'), 'half a thumbnail');
    const before = filesUnder(assetsDir).filter((f) => !f.startsWith('.incoming'));
    assert.equal(await cleanIncomingUploads(api.dataDir), 2);
    assert.deepEqual(readdirSync(incoming), []);
    assert.deepEqual(filesUnder(assetsDir), before, 'stored assets are untouched');
    assert.equal(await cleanIncomingUploads(join(work.path, 'no-such-data-dir')), 0);
  });
});

describe('every supported format, made by ffmpeg, is recognised from its content', () => {
  const work = tempDir('vistter-assets-formats-');
  let api: ApiHarness;
  const video = ['-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=10'];
  const audio = ['-f', 'lavfi', '-i', 'sine=frequency=330:sample_rate=44100'];
  // [file, ffmpeg arguments, asset type, MIME type, stored extension]
  const formats: Array<[string, string[], string, string, string]> = [
    ['still.gif', [...video, '-frames:v', '1'], 'image', 'image/gif', 'gif'],
    ['still.webp', [...video, '-frames:v', '1', '-c:v', 'libwebp'], 'image', 'image/webp', 'webp'],
    [
      'clip.mov',
      [...video, ...audio, '-t', '1', '-c:v', 'libx264', '-c:a', 'aac'],
      'video',
      'video/quicktime',
      'mov',
    ],
    [
      'clip.mkv',
      [...video, ...audio, '-t', '1', '-c:v', 'libx264', '-c:a', 'aac'],
      'video',
      'video/x-matroska',
      'mkv',
    ],
    [
      'clip.webm',
      [...video, ...audio, '-t', '1', '-c:v', 'libvpx', '-c:a', 'libopus'],
      'video',
      'video/webm',
      'webm',
    ],
    ['sound.mp3', [...audio, '-t', '1', '-c:a', 'libmp3lame'], 'audio', 'audio/mpeg', 'mp3'],
    [
      'sound-noid3.mp3',
      [...audio, '-t', '1.5', '-c:a', 'libmp3lame', '-write_xing', '0', '-id3v2_version', '0'],
      'audio',
      'audio/mpeg',
      'mp3',
    ],
    ['sound.ogg', [...audio, '-t', '1', '-c:a', 'libvorbis'], 'audio', 'audio/ogg', 'ogg'],
    ['sound.aac', [...audio, '-t', '1', '-c:a', 'aac', '-f', 'adts'], 'audio', 'audio/aac', 'aac'],
    ['sound.m4a', [...audio, '-t', '1', '-c:a', 'aac'], 'audio', 'audio/mp4', 'm4a'],
    ['sound.weba', [...audio, '-t', '1', '-c:a', 'libopus', '-f', 'webm'], 'audio', 'audio/webm', 'webm'],
  ];

  before(async () => {
    api = await createApiHarness();
    await api.signIn();
  });
  after(async () => {
    await api.close();
    work.cleanup();
  });

  for (const [name, args, type, mime, ext] of formats) {
    it(`${name} → ${type}, ${mime}`, async () => {
      const path = join(work.path, name);
      ffmpeg(...args, path);
      const data = readFileSync(path);
      // The client claims a text file: only the content counts.
      const response = await upload(api, data, 'upload.txt', 'text/plain');
      assert.equal(response.statusCode, 201, response.body);
      const asset = response.json() as Asset;
      assert.equal(asset.asset_type, type);
      assert.equal(asset.mime_type, mime);
      assert.equal(asset.file_path, `assets/${sha256(data)}.${ext}`);
      const thumb = await api.call('GET', `/api/assets/${asset.id}/thumbnail.jpg`);
      assert.equal(thumb.statusCode, type === 'audio' ? 404 : 200);
    });
  }
});

describe('asset upload limit', () => {
  const work = tempDir('vistter-assets-limit-');
  let png: Buffer;
  let mp4: Buffer;
  let api: ApiHarness;

  before(async () => {
    const media = makeMedia(work.path);
    png = media.png;
    mp4 = media.mp4;
    api = await createApiHarness({ maxUploadBytes: png.length });
    await api.signIn();
  });
  after(async () => {
    await api.close();
    work.cleanup();
  });

  it('a file of exactly the limit is accepted; one byte more answers 413 naming the limit', async () => {
    const ok = await upload(api, png, 'limit.png');
    assert.equal(ok.statusCode, 201, ok.body);
    const assetsDir = join(api.dataDir, 'assets');
    const files = filesUnder(assetsDir);
    for (const data of [Buffer.concat([png, Buffer.from([0])]), mp4]) {
      const response = await upload(api, data, 'big.mp4');
      assert.equal(response.statusCode, 413, response.body);
      assert.equal(response.json().code, 'PAYLOAD_TOO_LARGE');
      assert.ok(response.json().message.includes(formatBytes(png.length)), response.json().message);
      assert.deepEqual(filesUnder(assetsDir), files, 'nothing was left');
      assert.equal(api.store.assets.list().length, 1);
    }
    assert.ok(statSync(join(api.dataDir, 'assets', '.incoming')).isDirectory());
  });
});
