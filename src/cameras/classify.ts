// Why a camera check failed, in words a venue manager understands: a pure classifier of what
// ffprobe/ffmpeg left behind (stderr, exit, our own timeout). Tested on captured stderr in
// test/fixtures/cameras/stderr/ and test/fixtures/ffmpeg/stderr/.
//
// Secrets: ffmpeg prints the input URL, credentials included, in its error lines. Nothing from
// stderr leaves this module unless it went through scrubCameraText().
import { ERRORS } from '../errors/registry.ts';
import { redactText } from '../core/redact.ts';
import { StderrLineSplitter, parseLogLine, summarizeErrors } from '../ffmpeg/progress.ts';

export type CameraFailureCode =
  'CAMERA_UNREACHABLE' | 'CAMERA_AUTH_FAILED' | 'CAMERA_NO_VIDEO' | 'CAMERA_TEST_FAILED';

export interface CameraFailure {
  code: CameraFailureCode;
  /** One sentence for the operator; never contains the URL or credentials. */
  reason: string;
  /** The error registry's remediation for the code. */
  remediation: string;
  /** The telling ffmpeg line for support, URLs without credentials; null when there was none. */
  detail: string | null;
}

export interface CameraFailureInput {
  /** Everything the process wrote to stderr. */
  stderr: string;
  exitCode: number | null;
  /** We killed it: it did not finish within timeoutMs. */
  timedOut: boolean;
  /** spawn() itself failed (ffmpeg missing). */
  spawnError?: string;
  /** How long the attempt took. */
  elapsedMs: number;
  /** The whole attempt's budget. */
  timeoutMs: number;
  /** The socket timeout given to ffmpeg. */
  ioTimeoutSeconds: number;
  /** Strings to mask wherever they appear (the camera's user name and password). */
  secrets?: readonly string[];
  /** The process ended "successfully" but produced no picture (snapshot: no JPEG on stdout). */
  noPicture?: boolean;
}

function seconds(ms: number): string {
  const s = Math.max(1, Math.round(ms / 1000));
  return `${s} second${s === 1 ? '' : 's'}`;
}

/**
 * Text with every URL's user information removed (user name too), remaining URL secrets masked,
 * and any of `secrets` (raw and percent-encoded) replaced by ****: the one redaction
 * (src/core/redact.ts) with its stricter rules for camera text.
 */
export function scrubCameraText(text: string, secrets: readonly string[] = []): string {
  return redactText(text, { secrets, dropUserinfo: true });
}

/** User name and password of a URL (decoded), for scrubCameraText. */
export function urlSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    return [decodeURIComponent(u.username), decodeURIComponent(u.password)].filter((s) => s !== '');
  } catch {
    return [];
  }
}

interface Verdict {
  code: CameraFailureCode;
  reason: string;
}

// Lines the shared ffmpeg rules (src/ffmpeg/progress.ts) do not know, checked first.
const CAMERA_RULES: ReadonlyArray<{ re: RegExp; verdict: (i: CameraFailureInput) => Verdict }> = [
  {
    re: /Stream map '[^']*v[^']*' matches no streams|does not contain any stream/i,
    verdict: () => ({ code: 'CAMERA_NO_VIDEO', reason: 'The camera answered, but its stream has no video.' }),
  },
  {
    re: /\b461\b.*Unsupported transport/i,
    verdict: () => ({
      code: 'CAMERA_NO_VIDEO',
      reason: 'The camera does not offer its stream over TCP, which the appliance needs.',
    }),
  },
  {
    re: /Server returned 5(\d\d|XX)/i,
    verdict: () => ({
      code: 'CAMERA_UNREACHABLE',
      reason: 'The camera answered with an internal error (it may still be starting up or be overloaded).',
    }),
  },
];

/** The kind of failure, with the line that tells it. Pure. */
export function classifyCameraFailure(input: CameraFailureInput): CameraFailure {
  const { verdict, line } = decide(input);
  const detail = line === null ? null : scrubCameraText(parseLogLine(line).message, input.secrets);
  return { ...verdict, remediation: ERRORS[verdict.code].remediation, detail };
}

function decide(input: CameraFailureInput): { verdict: Verdict; line: string | null } {
  if (input.spawnError !== undefined) {
    return {
      verdict: {
        code: 'CAMERA_TEST_FAILED',
        reason: 'The appliance could not start ffmpeg to reach the camera.',
      },
      line: input.spawnError,
    };
  }
  const lines = new StderrLineSplitter().push(`${input.stderr}\n`);
  if (input.timedOut) {
    return {
      verdict: {
        code: 'CAMERA_UNREACHABLE',
        reason: `The camera did not answer within ${seconds(input.timeoutMs)}.`,
      },
      line: summarizeErrors(lines)?.line ?? null,
    };
  }
  for (const l of lines) {
    for (const rule of CAMERA_RULES) {
      if (rule.re.test(parseLogLine(l).message)) return { verdict: rule.verdict(input), line: l };
    }
  }
  const found = summarizeErrors(lines);
  if (found === null) {
    if (input.noPicture || input.exitCode === 0) {
      return {
        verdict: { code: 'CAMERA_NO_VIDEO', reason: 'The camera answered, but sent no picture.' },
        line: null,
      };
    }
    const last = [...lines].reverse().find((l) => {
      const level = parseLogLine(l).level;
      return level === 'error' || level === 'fatal' || level === 'panic';
    });
    return {
      verdict: {
        code: 'CAMERA_TEST_FAILED',
        reason: 'The camera could not be read, for a reason the appliance does not recognise.',
      },
      line: last ?? lines.at(-1) ?? null,
    };
  }
  return { verdict: verdictFor(found.kind, input), line: found.line };
}

function verdictFor(
  kind: NonNullable<ReturnType<typeof summarizeErrors>>['kind'],
  input: CameraFailureInput,
): Verdict {
  switch (kind) {
    case 'unauthorized':
      return { code: 'CAMERA_AUTH_FAILED', reason: 'The camera refused the user name or password.' };
    case 'forbidden':
      return {
        code: 'CAMERA_AUTH_FAILED',
        reason: 'The camera does not allow this user to watch its stream.',
      };
    case 'not_found':
    case 'no_such_file':
      return { code: 'CAMERA_NO_VIDEO', reason: 'The camera answered, but has no stream at this path.' };
    case 'connection_refused':
      return {
        code: 'CAMERA_UNREACHABLE',
        reason: 'The camera refused the connection: nothing answers at this address and port.',
      };
    case 'host_unreachable':
      return {
        code: 'CAMERA_UNREACHABLE',
        reason: 'The camera’s address cannot be reached from the appliance.',
      };
    case 'dns_failure':
      return {
        code: 'CAMERA_UNREACHABLE',
        reason: 'The camera’s host name could not be found on the network.',
      };
    case 'timeout':
      return {
        code: 'CAMERA_UNREACHABLE',
        reason: `The camera did not answer within ${seconds(input.ioTimeoutSeconds * 1000)}.`,
      };
    case 'connection_reset':
    case 'broken_pipe':
      return { code: 'CAMERA_UNREACHABLE', reason: 'The camera closed the connection before sending video.' };
    case 'invalid_data':
      // A silent RTSP server (connection accepted, no answer) ends with this same line once the
      // socket timeout passes; an answer in garbage ends it at once.
      if (input.elapsedMs >= input.ioTimeoutSeconds * 1000 * 0.8) {
        return {
          code: 'CAMERA_UNREACHABLE',
          reason: `The camera accepted the connection but did not answer within ${seconds(input.ioTimeoutSeconds * 1000)}.`,
        };
      }
      return {
        code: 'CAMERA_NO_VIDEO',
        reason: 'The camera answered, but not with a video stream the appliance can read.',
      };
    case 'no_output_stream':
      return { code: 'CAMERA_NO_VIDEO', reason: 'The camera answered, but its stream has no video.' };
    case 'protocol_error':
      return {
        code: 'CAMERA_TEST_FAILED',
        reason:
          'The camera’s address could not be used: check that it starts with rtsp:// (or the type the camera’s manual gives).',
      };
    default:
      return {
        code: 'CAMERA_TEST_FAILED',
        reason: 'The camera could not be read, for a reason the appliance does not recognise.',
      };
  }
}
