// The pixel limit on pictures with real files: each format ffmpeg writes is read from its header
// at the size ffprobe reports; a real 10000 × 10000 PNG (about 290 KB) is refused at upload with a
// 422 naming the limit and its size, before ffprobe or the thumbnail ffmpeg touch it; a video over
// the limit gets no thumbnail either; the thumbnail ffmpeg itself refuses such a picture.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { readImageFileHeader, readImageFile } from '../../../src/assets/image-load.ts';
import { ingestAsset, thumbnailArgs } from '../../../src/assets/ingest.ts';
import { isAppError } from '../../../src/errors/registry.ts';
import { FFMPEG_BIN } from '../../../src/ffmpeg/argv.ts';
import { probe } from '../../../src/ffmpeg/probe.ts';
import { runProcess, type Runner } from '../../../src/ffmpeg/run.ts';
import { createApiHarness, type ApiHarness } from '../../helpers/api.ts';
import { blackPng } from '../../helpers/big-png.ts';
import { uploadAsset } from '../../helpers/multipart.ts';
import { tempDir } from '../../helpers/temp.ts';

const LIMIT_SENTENCE =
  'is 10000 × 10000 pixels (100 megapixels): more than the limit of 8192 pixels on a side and 40 megapixels';

function ffmpeg(...args: string[]): void {
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args]);
}

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

/** runProcess, recording every command it runs. */
function recordingRunner(): { run: Runner; commands: string[][] } {
  const commands: string[][] = [];
  return {
    commands,
    run: (bin, args, timeoutMs) => {
      commands.push([bin, ...args]);
      return runProcess(bin, args, timeoutMs);
    },
  };
}

describe('image headers of real files (ffmpeg writes them, ffprobe confirms the size)', () => {
  const work = tempDir('vistter-image-headers-');
  after(() => work.cleanup());

  const cases: Array<{ name: string; size: string; args: string[] }> = [
    { name: 'small.png', size: '321x123', args: [] },
    { name: 'wide.png', size: '8200x4', args: [] },
    { name: 'small.jpg', size: '322x124', args: ['-pix_fmt', 'yuvj420p'] },
    { name: 'wide.jpg', size: '8200x4', args: ['-pix_fmt', 'yuvj420p'] },
    { name: 'small.gif', size: '323x125', args: [] },
    { name: 'tall.gif', size: '4x8200', args: [] },
    { name: 'lossy.webp', size: '324x126', args: ['-c:v', 'libwebp'] },
    { name: 'lossless.webp', size: '325x127', args: ['-c:v', 'libwebp', '-lossless', '1'] },
    { name: 'alpha.webp', size: '326x128', args: ['-c:v', 'libwebp', '-pix_fmt', 'yuva420p'] },
    { name: 'big-lossy.webp', size: '8200x4', args: ['-c:v', 'libwebp'] },
  ];

  for (const { name, size, args } of cases) {
    it(`${name} (${size})`, async () => {
      const path = join(work.path, name);
      ffmpeg('-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=1`, '-frames:v', '1', ...args, path);
      const probed = await probe(path, { timeoutMs: 30_000 });
      const header = await readImageFileHeader(path);
      assert.equal(header.kind, 'size', JSON.stringify(header));
      assert.deepEqual(
        header.kind === 'size' ? [header.width, header.height] : [],
        [probed.width, probed.height],
        'the header gives the size ffprobe decodes',
      );
      const [width, height] = size.split('x').map(Number) as [number, number];
      if (width > 8192 || height > 8192) {
        await assert.rejects(readImageFile(path, 'the picture'), (error: unknown) => {
          assert.ok(isAppError(error));
          assert.equal(error.code, 'IMAGE_TOO_LARGE');
          assert.match(error.message, new RegExp(`^the picture is ${width} × ${height} pixels`));
          return true;
        });
      } else {
        assert.equal((await readImageFile(path, 'the picture')).length, readFileSync(path).length);
      }
    });
  }

  it('a JPEG whose frame header follows 200 kB of metadata', async () => {
    const plain = join(work.path, 'plain.jpg');
    ffmpeg(
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=8200x8:rate=1',
      '-frames:v',
      '1',
      '-pix_fmt',
      'yuvj420p',
      plain,
    );
    const jpeg = readFileSync(plain);
    // Four APP2 segments of 50 000 bytes each after SOI, as large ICC profiles are stored.
    const app2 = Buffer.concat([
      Buffer.from([0xff, 0xe2, (50_002 >> 8) & 0xff, 50_002 & 0xff]),
      Buffer.alloc(50_000),
    ]);
    const padded = Buffer.concat([jpeg.subarray(0, 2), app2, app2, app2, app2, jpeg.subarray(2)]);
    const path = join(work.path, 'metadata.jpg');
    writeFileSync(path, padded);
    assert.deepEqual(await readImageFileHeader(path), {
      kind: 'size',
      format: 'jpeg',
      width: 8200,
      height: 8,
    });
  });
});

describe('a 10000 × 10000 PNG (real, 290 KB)', () => {
  const work = tempDir('vistter-big-png-');
  let png: Buffer;
  let api: ApiHarness;

  before(async () => {
    png = await blackPng(10000, 10000);
    writeFileSync(join(work.path, 'huge.png'), png);
    api = await createApiHarness();
    await api.signIn();
  });
  after(async () => {
    await api.close();
    work.cleanup();
  });

  it('is a valid PNG of that size (ffprobe reads its header)', async () => {
    assert.ok(png.length < 400 * 1024, `${png.length} bytes`);
    const probed = await probe(join(work.path, 'huge.png'), { timeoutMs: 30_000 });
    assert.deepEqual([probed.width, probed.height], [10000, 10000]);
  });

  it('upload answers 422 IMAGE_TOO_LARGE naming the limit and its size; nothing is stored', async () => {
    const assetsDir = join(api.dataDir, 'assets');
    const before = filesUnder(assetsDir);
    const response = await uploadAsset(api, png, 'huge.png', 'image/png');
    assert.equal(response.statusCode, 422, response.body);
    const body = response.json() as { code: string; message: string; remediation: string };
    assert.equal(body.code, 'IMAGE_TOO_LARGE');
    assert.equal(body.message, `the image ${LIMIT_SENTENCE}`);
    assert.match(body.remediation, /8192 pixels on a side and 40 megapixels/);
    assert.equal(api.store.db.prepare('SELECT COUNT(*) FROM assets').pluck().get(), 0);
    assert.deepEqual(filesUnder(assetsDir), before);
  });

  it('ingest runs no ffmpeg for it (no thumbnail); a normal picture is thumbnailed by the same runner', async () => {
    const huge = recordingRunner();
    await assert.rejects(
      ingestAsset({
        dataDir: api.dataDir,
        assets: api.store.assets,
        source: Readable.from([png]),
        filename: 'huge.png',
        maxBytes: 10 * 1024 * 1024,
        run: huge.run,
      }),
      (error: unknown) => isAppError(error) && error.code === 'IMAGE_TOO_LARGE',
    );
    assert.deepEqual(huge.commands, [], 'no ffmpeg ran for the refused picture');

    const small = join(work.path, 'small.png');
    ffmpeg('-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=1', '-frames:v', '1', small);
    const normal = recordingRunner();
    const { asset } = await ingestAsset({
      dataDir: api.dataDir,
      assets: api.store.assets,
      source: Readable.from([readFileSync(small)]),
      filename: 'small.png',
      maxBytes: 10 * 1024 * 1024,
      run: normal.run,
    });
    assert.equal(asset.metadata?.['thumbnail'], true);
    assert.equal(normal.commands.length, 1);
    assert.ok(normal.commands[0]!.includes('-max_pixels'), normal.commands[0]!.join(' '));
  });

  it('the thumbnail ffmpeg refuses it too, should a header ever lie (-max_pixels)', async () => {
    const output = join(work.path, 'thumb.jpg');
    const result = await runProcess(
      FFMPEG_BIN,
      thumbnailArgs(join(work.path, 'huge.png'), output, 0),
      30_000,
    );
    assert.notEqual(result.code, 0, 'ffmpeg must fail');
    assert.match(result.stderr, /exceeds|max pixel/i, result.stderr);
    assert.ok(!existsSync(output) || readFileSync(output).length === 0, 'no thumbnail was written');
  });

  it('a video over the limit is refused after ffprobe, before its thumbnail', async () => {
    const path = join(work.path, 'wide.mkv');
    ffmpeg('-f', 'lavfi', '-i', 'testsrc2=size=8200x16:rate=5', '-t', '1', '-c:v', 'ffv1', path);
    const runner = recordingRunner();
    await assert.rejects(
      ingestAsset({
        dataDir: api.dataDir,
        assets: api.store.assets,
        source: Readable.from([readFileSync(path)]),
        filename: 'wide.mkv',
        maxBytes: 50 * 1024 * 1024,
        run: runner.run,
      }),
      (error: unknown) => {
        assert.ok(isAppError(error));
        assert.equal(error.code, 'IMAGE_TOO_LARGE');
        assert.match(error.message, /^the video is 8200 × 16 pixels/);
        return true;
      },
    );
    assert.deepEqual(runner.commands, [], 'neither the tail check nor the thumbnail ran');
  });
});
