import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { candidateEncoders, detectH264Encoder } from '../../../src/ffmpeg/hardware.ts';

describe('hardware encoder detection (real test encodes)', () => {
  it('picks libx264 on this machine and says why each hardware encoder failed', async () => {
    const d = await detectH264Encoder({ platform: 'linux' });
    console.log(JSON.stringify(d, null, 1));
    assert.equal(d.encoder, 'libx264');
    assert.deepEqual(
      d.tried.map((t) => t.encoder),
      [...candidateEncoders('linux'), 'libx264'],
    );
    for (const t of d.tried.slice(0, -1)) {
      assert.equal(t.ok, false, t.encoder);
      assert.ok(t.reason.length > 5 && t.reason !== 'test encode succeeded', `${t.encoder}: ${t.reason}`);
    }
    assert.deepEqual(d.tried.at(-1)?.ok, true);
    assert.equal(d.tried.at(-1)?.reason, 'test encode succeeded');
  });
});
