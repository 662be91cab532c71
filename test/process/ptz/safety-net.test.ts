// The ONVIF safety net in a real process: an error thrown inside the onvif library's own code
// (uncaught) is logged and the process lives on; an uncaught error of our own still ends it with
// exit code 1 and its stack on stderr. Plus the stack classification on its own.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { isOnvifLibraryError } from '../../../src/ptz/safety-net.ts';

const FIXTURE = fileURLToPath(new URL('../../fixtures/ptz/uncaught.ts', import.meta.url));

function run(mode: 'library' | 'own') {
  return spawnSync(process.execPath, ['--import', 'tsx', FIXTURE, mode], {
    encoding: 'utf8',
    timeout: 20_000,
  });
}

function errorWithStack(stack: string): Error {
  const error = new TypeError('Cannot convert undefined or null to object');
  error.stack = stack;
  return error;
}

describe('ONVIF safety net', () => {
  it('classifies by the first frame that names a file', () => {
    const lib = [
      'TypeError: Cannot convert undefined or null to object',
      '    at Function.keys (<anonymous>)',
      '    at linerase (/app/node_modules/onvif/lib/utils.js:28:10)',
      '    at listOnTimeout (node:internal/timers:573:17)',
    ].join('\n');
    assert.equal(isOnvifLibraryError(errorWithStack(lib)), true);
    const ours = [
      'TypeError: x',
      '    at Object.done (/app/src/ptz/onvif.ts:10:3)',
      '    at Cam.<anonymous> (/app/node_modules/onvif/lib/cam.js:300:5)',
    ].join('\n');
    assert.equal(isOnvifLibraryError(errorWithStack(ours)), false, 'our callback called by the library');
    const lookalike = '    at f (/app/node_modules/onvif-extra/lib/x.js:1:1)';
    assert.equal(isOnvifLibraryError(errorWithStack(`E: x\n${lookalike}`)), false);
    assert.equal(isOnvifLibraryError('a string'), false);
    assert.equal(isOnvifLibraryError(new Error('no file frames')), false);
  });

  it('a throw inside the onvif library: logged, the process lives on', () => {
    const result = run('library');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /alive/);
    assert.match(result.stdout, /logged: the ONVIF library failed on a camera’s answer; ignored/);
    assert.match(result.stdout, /Cannot convert undefined or null to object/);
  });

  it('a throw of our own: fatal as before (exit code 1, its stack on stderr)', () => {
    const result = run('own');
    assert.equal(result.status, 1);
    assert.doesNotMatch(result.stdout, /alive/);
    assert.match(result.stdout, /fatal: uncaught exception/);
    assert.match(result.stderr, /Error: a bug of our own/);
  });
});
