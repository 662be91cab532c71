import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRange } from '../../../src/api/routes/assets.ts';
import {
  formatBytes,
  insideAssets,
  thumbnailArgs,
  thumbnailPathOf,
  thumbnailSeek,
} from '../../../src/assets/ingest.ts';
import { uploadLimitFromEnv } from '../../../src/config.ts';
import { contentDisposition, sanitizeFilename } from '../../../src/assets/names.ts';
import { mediaFormat, sniffMedia } from '../../../src/assets/sniff.ts';

const bytes = (...parts: Array<string | number[]>): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('sniffMedia: the format from the first bytes', () => {
  const cases: Array<[string, Uint8Array, string | null]> = [
    ['PNG', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'rest'), 'png'],
    ['JPEG', bytes([0xff, 0xd8, 0xff, 0xe0], 'JFIF'), 'jpeg'],
    ['GIF89a', bytes('GIF89a...'), 'gif'],
    ['GIF87a', bytes('GIF87a...'), 'gif'],
    ['WebP', bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8 '), 'webp'],
    ['WAV', bytes('RIFF', [1, 2, 3, 4], 'WAVEfmt '), 'wav'],
    ['MP4 (isom)', bytes([0, 0, 0, 0x20], 'ftypisom', [0, 0, 2, 0]), 'mp4'],
    ['MOV (qt)', bytes([0, 0, 0, 0x14], 'ftypqt  '), 'mov'],
    ['M4A', bytes([0, 0, 0, 0x20], 'ftypM4A '), 'm4a'],
    ['old QuickTime (moov first)', bytes([0, 0, 0, 0x08], 'moov'), 'mov'],
    ['WebM', bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84], 'webm'), 'webm'],
    ['Matroska', bytes([0x1a, 0x45, 0xdf, 0xa3, 0xa3, 0x42, 0x82, 0x88], 'matroska'), 'matroska'],
    ['Ogg', bytes('OggS', [0, 2]), 'ogg'],
    ['MP3 with ID3', bytes('ID3', [4, 0, 0]), 'mp3'],
    ['MP3 frame (MPEG-1 layer III, 128 kbit/s, 44.1 kHz)', bytes([0xff, 0xfb, 0x90, 0x64]), 'mp3'],
    ['AAC ADTS (44.1 kHz)', bytes([0xff, 0xf1, 0x50, 0x80]), 'aac'],
    ['text', bytes('hello, this is not an image'), null],
    ['PDF', bytes('%PDF-1.7'), null],
    ['ZIP', bytes('PK', [3, 4]), null],
    ['RIFF of another kind (AVI)', bytes('RIFF', [1, 2, 3, 4], 'AVI LIST'), null],
    ['MPEG-2.5 frame sync with the reserved layer 00', bytes([0xff, 0xe1, 0x90, 0x64]), null],
    ['AAC ADTS, MPEG-2 id', bytes([0xff, 0xf9, 0x50, 0x80]), 'aac'],
    ['MPEG frame with the invalid bitrate index', bytes([0xff, 0xfb, 0xf0, 0x64]), null],
    ['empty', bytes(), null],
    ['PNG signature cut short', bytes([0x89, 0x50, 0x4e, 0x47]), null],
  ];
  for (const [name, head, family] of cases) {
    it(`${name} → ${family ?? 'unsupported'}`, () => {
      assert.equal(sniffMedia(head)?.family ?? null, family);
    });
  }
});

describe('mediaFormat: the type once the streams are known', () => {
  const png = sniffMedia(bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))!;
  const mp4 = sniffMedia(bytes([0, 0, 0, 0x20], 'ftypisom'))!;
  const m4a = sniffMedia(bytes([0, 0, 0, 0x20], 'ftypM4A '))!;
  const mp3 = sniffMedia(bytes('ID3'))!;
  const webm = sniffMedia(bytes([0x1a, 0x45, 0xdf, 0xa3], 'webm'))!;

  it('an image needs a picture, audio needs sound', () => {
    assert.deepEqual(mediaFormat(png, { video: true, audio: false }), {
      type: 'image',
      mime: 'image/png',
      ext: 'png',
    });
    assert.equal(mediaFormat(png, { video: false, audio: true }), null);
    assert.deepEqual(mediaFormat(mp3, { video: true, audio: true }), {
      type: 'audio',
      mime: 'audio/mpeg',
      ext: 'mp3',
    });
    assert.equal(mediaFormat(mp3, { video: false, audio: false }), null);
  });

  it('a container is a video with a picture, else audio', () => {
    assert.deepEqual(mediaFormat(mp4, { video: true, audio: true }), {
      type: 'video',
      mime: 'video/mp4',
      ext: 'mp4',
    });
    assert.deepEqual(mediaFormat(mp4, { video: false, audio: true }), {
      type: 'audio',
      mime: 'audio/mp4',
      ext: 'm4a',
    });
    assert.deepEqual(mediaFormat(webm, { video: false, audio: true }), {
      type: 'audio',
      mime: 'audio/webm',
      ext: 'webm',
    });
    assert.equal(mediaFormat(webm, { video: false, audio: false }), null);
  });

  it('an M4A with cover art stays audio', () => {
    assert.equal(mediaFormat(m4a, { video: true, audio: true })?.type, 'audio');
  });
});

describe('sanitizeFilename: display names only', () => {
  it('keeps the last path segment of either separator', () => {
    assert.equal(sanitizeFilename('../../etc/passwd', 'png'), 'passwd');
    assert.equal(sanitizeFilename('C:\\Users\\eve\\logo.png', 'png'), 'logo.png');
  });

  it('drops control and direction characters, leading dots, extra spaces', () => {
    assert.equal(sanitizeFilename('evil\u202egnp.exe', 'png'), 'evilgnp.exe');
    assert.equal(sanitizeFilename('a\u0000b\nc.png', 'png'), 'abc.png');
    assert.equal(sanitizeFilename('  ..hidden   name .png  ', 'png'), 'hidden name .png');
  });

  it('falls back to upload.<ext> when nothing is left', () => {
    assert.equal(sanitizeFilename(undefined, 'mp4'), 'upload.mp4');
    assert.equal(sanitizeFilename('..', 'png'), 'upload.png');
    assert.equal(sanitizeFilename('/', 'png'), 'upload.png');
  });

  it('shortens long names to 200 characters keeping the extension', () => {
    const name = sanitizeFilename(`${'é'.repeat(300)}.jpeg`, 'jpg');
    assert.equal([...name].length, 200);
    assert.ok(name.endsWith('é.jpeg'));
  });
});

describe('contentDisposition', () => {
  it('gives an ASCII fallback and the exact UTF-8 name', () => {
    assert.equal(
      contentDisposition('Bühne "1" (neu).png'),
      `attachment; filename="B_hne _1_ (neu).png"; filename*=UTF-8''B%C3%BChne%20%221%22%20%28neu%29.png`,
    );
  });
});

describe('parseRange', () => {
  it('accepts one satisfiable range', () => {
    assert.deepEqual(parseRange('bytes=0-99', 1000), { start: 0, end: 99 });
    assert.deepEqual(parseRange('bytes=900-', 1000), { start: 900, end: 999 });
    assert.deepEqual(parseRange('bytes=-100', 1000), { start: 900, end: 999 });
    assert.deepEqual(parseRange('bytes=990-5000', 1000), { start: 990, end: 999 });
  });

  it('ignores what it cannot satisfy (the whole file is sent)', () => {
    assert.equal(parseRange(undefined, 1000), null);
    assert.equal(parseRange('bytes=1000-', 1000), null);
    assert.equal(parseRange('bytes=5-2', 1000), null);
    assert.equal(parseRange('bytes=0-1,5-6', 1000), null);
    assert.equal(parseRange('items=0-1', 1000), null);
    assert.equal(parseRange('bytes=-0', 1000), null);
  });
});

describe('limits and paths', () => {
  it('VISTTER_MAX_UPLOAD_MB sets the limit; a bad value is refused', () => {
    assert.equal(uploadLimitFromEnv({}), 500 * 1024 * 1024);
    assert.equal(uploadLimitFromEnv({ VISTTER_MAX_UPLOAD_MB: '2' }), 2 * 1024 * 1024);
    assert.equal(uploadLimitFromEnv({ VISTTER_MAX_UPLOAD_MB: '0.5' }), 512 * 1024);
    assert.throws(() => uploadLimitFromEnv({ VISTTER_MAX_UPLOAD_MB: 'lots' }), /VISTTER_MAX_UPLOAD_MB/);
    assert.throws(() => uploadLimitFromEnv({ VISTTER_MAX_UPLOAD_MB: '-1' }), /positive/);
  });

  it('formatBytes names the limit in the unit it was set in', () => {
    assert.equal(formatBytes(500 * 1024 * 1024), '500 MB');
    assert.equal(formatBytes(64 * 1024), '64 kB');
    assert.equal(formatBytes(1536), '1.5 kB');
    assert.equal(formatBytes(900), '900 bytes');
  });

  it('insideAssets refuses anything outside <dataDir>/assets', () => {
    assert.equal(insideAssets('/data', 'assets/abc.png'), '/data/assets/abc.png');
    assert.equal(insideAssets('/data', 'assets/../vistter.db'), null);
    assert.equal(insideAssets('/data', '/etc/passwd'), null);
    assert.equal(insideAssets('/data', 'assets'), null);
  });

  it('thumbnails sit next to the file', () => {
    assert.equal(thumbnailPathOf('assets/abc.png'), 'assets/abc.thumb.jpg');
    assert.equal(thumbnailPathOf('assets/abc'), 'assets/abc.thumb.jpg');
  });

  it('thumbnail argv: one frame, at most 320 wide, JPEG; 1 s into a video longer than 1.5 s', () => {
    assert.equal(thumbnailSeek('video', 2), 1);
    assert.equal(thumbnailSeek('video', 1), 0);
    assert.equal(thumbnailSeek('video', null), 0);
    assert.equal(thumbnailSeek('image', 10), 0);
    const args = thumbnailArgs('/in/x.part', '/in/x.jpg', 1);
    assert.deepEqual(args.slice(args.indexOf('-ss'), args.indexOf('-ss') + 4), [
      '-ss',
      '1',
      '-i',
      '/in/x.part',
    ]);
    assert.equal(args[args.indexOf('-frames:v') + 1], '1');
    assert.match(args[args.indexOf('-vf') + 1]!, /^scale=w='min\(320,iw\)':h=-1/);
    assert.equal(args.at(-1), '/in/x.jpg');
    assert.ok(!thumbnailArgs('/in/x.part', '/in/x.jpg', 0).includes('-ss'));
    // The decoder is told the pixel limit, as an input option (before -i).
    const maxPixels = args.indexOf('-max_pixels');
    assert.deepEqual(args.slice(maxPixels, maxPixels + 2), ['-max_pixels', '40000000']);
    assert.ok(maxPixels < args.indexOf('-i'));
  });
});
