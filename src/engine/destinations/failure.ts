// Why one run of an output's ffmpeg ended, in words a venue manager can act on (DESIGN.md §3.8).
// Pure: the input is the supervisor's exit cause, whether the run had been sending, and the last
// stderr lines; the output is a stable kind, a registry code, a plain-words message, a remediation
// sentence, and two facts the retry policy needs (is it worth probing the server's port while
// waiting, and does the failure itself show that the server was not accepting connections).
//
// Secrets: ffmpeg's stderr echoes the destination URL with its stream key. The message is always
// one of the fixed sentences below, never text taken from stderr.
import { ERRORS, type AlertCode, type ErrorCode } from '../../errors/registry.ts';
import { classifyErrorLine, parseLogLine } from '../../ffmpeg/progress.ts';
import type { ExitCause } from '../../process/supervisor.ts';

export type OutputKind = 'destination' | 'preview' | 'recording';

export type OutputErrorKind =
  | 'unreachable' // connection refused, no route, network unreachable, TCP connect timed out
  | 'dns_failure' // the server name could not be resolved
  | 'tls_failure' // RTMPS: the TLS handshake failed
  | 'rejected' // the server answered but refused the stream (key, application, already publishing)
  | 'no_response' // connected, then the server said nothing (handshake or write timeout)
  | 'connection_lost' // was sending; the server closed or reset the connection
  | 'stalled' // our watchdog: no bytes accepted for the stall timeout while there was input
  | 'disk_error' // recording or preview: disk full, no permission, file exists
  | 'spawn_failed' // ffmpeg could not be started
  | 'crashed'; // anything else

export interface FailureFacts {
  output: OutputKind;
  cause: ExitCause;
  stderrTail: readonly string[];
  /** The run had been sending (output bytes growing) before it ended. */
  wasLive: boolean;
  /** For cause 'stalled': how long nothing was accepted, in ms. */
  silentMs?: number;
}

/** The registry codes an output's failure is reported with (in its status and in its alerts). */
export type OutputFailureCode = Extract<
  AlertCode,
  | 'DESTINATION_UNREACHABLE'
  | 'DESTINATION_DNS_FAILED'
  | 'DESTINATION_TLS_FAILED'
  | 'DESTINATION_REJECTED'
  | 'DESTINATION_NO_RESPONSE'
  | 'DESTINATION_CONNECTION_LOST'
  | 'DESTINATION_STALLED'
  | 'OUTPUT_DISK_ERROR'
  | 'OUTPUT_STALLED'
  | 'OUTPUT_SPAWN_FAILED'
  | 'OUTPUT_CRASHED'
>;

export interface ClassifiedFailure {
  kind: OutputErrorKind;
  code: OutputFailureCode;
  /** Plain words, no URL, no key. */
  message: string;
  remediation: string;
  /** A network-level failure: probing the server's TCP port while waiting can tell when it is back. */
  probe: boolean;
  /** The failure itself shows nothing was accepting connections: the next probe that connects
   *  means the server has returned. */
  serverDown: boolean;
}

// A TCP connect that failed at the socket level (ffmpeg's tcp.c: "Connection to tcp://… failed: …").
const TCP_CONNECT_FAILED = /Connection to tcp:\/\/\S+ failed: (.*)$/i;
const TLS_ERROR = /\b(tls|ssl|gnutls|openssl)\b|certificate|handshake failed/i;
const PUBLISH_REJECTED =
  /Server error|NetStream\.Publish\.(BadName|Denied|Rejected)|NetConnection\.Connect\.(Rejected|Failed)|Operation not permitted|Permission denied/i;
const DISK_ERROR =
  /No space left on device|Permission denied|File exists|Read-only file system|Disk quota exceeded/i;

/** What went wrong, from the facts of one ended run. */
export function classifyFailure(facts: FailureFacts): ClassifiedFailure {
  const { output, cause } = facts;
  if (cause === 'spawn-error') return result('spawn_failed', 'OUTPUT_SPAWN_FAILED', SPAWN_MESSAGE);
  if (cause === 'stalled') {
    const seconds = Math.round((facts.silentMs ?? 0) / 1000);
    if (output !== 'destination') {
      return result('stalled', 'OUTPUT_STALLED', `The ${noun(output)} stopped writing for ${seconds} s.`);
    }
    // Whether the server is still there is unknown: probe, but only a probe that first fails and
    // then connects counts as its return.
    return result(
      'stalled',
      'DESTINATION_STALLED',
      `The streaming server stopped accepting data for ${seconds} s.`,
      { probe: true },
    );
  }

  const lines = facts.stderrTail.map((line) => ({ line, ...parseLogLine(line) }));
  const errorLines = lines.filter((l) => l.level !== 'info' && l.level !== 'verbose' && l.level !== 'debug');
  if (output !== 'destination') {
    if (errorLines.some((l) => DISK_ERROR.test(l.message))) {
      return result('disk_error', 'OUTPUT_DISK_ERROR', `The ${noun(output)} could not write its files.`);
    }
    return result('crashed', 'OUTPUT_CRASHED', `The ${noun(output)} stopped unexpectedly.`);
  }

  for (const l of errorLines) {
    const connect = TCP_CONNECT_FAILED.exec(l.message);
    if (!connect) continue;
    const why = connect[1] ?? '';
    if (/refused/i.test(why)) return unreachable('The streaming server refused the connection.');
    if (/timed out/i.test(why)) return unreachable('Connecting to the streaming server timed out.');
    if (/unreachable|no route/i.test(why)) return unreachable('The streaming server could not be reached.');
  }
  const kinds = errorLines.map((l) => classifyErrorLine(l.line));
  if (kinds.includes('dns_failure')) {
    return result(
      'dns_failure',
      'DESTINATION_DNS_FAILED',
      'The streaming server’s name could not be looked up.',
      {
        probe: true,
        serverDown: true,
      },
    );
  }
  if (kinds.includes('connection_refused'))
    return unreachable('The streaming server refused the connection.');
  if (kinds.includes('host_unreachable')) return unreachable('The streaming server could not be reached.');
  if (errorLines.some((l) => l.component === 'tls' || (l.component === null && TLS_ERROR.test(l.message)))) {
    return result(
      'tls_failure',
      'DESTINATION_TLS_FAILED',
      'The secure (RTMPS) connection to the server failed.',
    );
  }
  if (
    errorLines.some((l) => PUBLISH_REJECTED.test(l.message)) ||
    kinds.some((k) => k === 'unauthorized' || k === 'forbidden' || k === 'not_found')
  ) {
    return result('rejected', 'DESTINATION_REJECTED', 'The streaming server refused the stream.');
  }
  if (kinds.includes('timeout')) {
    return result(
      'no_response',
      'DESTINATION_NO_RESPONSE',
      facts.wasLive
        ? 'The streaming server stopped responding.'
        : 'The streaming server accepted the connection but did not answer.',
      { probe: true },
    );
  }
  const dropped = kinds.some(
    (k) => k === 'broken_pipe' || k === 'connection_reset' || k === 'io_error' || k === 'protocol_error',
  );
  if (facts.wasLive && (dropped || cause === 'crashed')) {
    return result(
      'connection_lost',
      'DESTINATION_CONNECTION_LOST',
      'The connection to the streaming server was lost.',
      {
        probe: true,
      },
    );
  }
  if (dropped) {
    // Closed before publishing started: the usual answer to a wrong key or application name.
    return result(
      'rejected',
      'DESTINATION_REJECTED',
      'The streaming server closed the connection before accepting the stream.',
    );
  }
  return result('crashed', 'OUTPUT_CRASHED', 'The stream to this destination stopped unexpectedly.');
}

/** The remediation sentence of a registry code. */
export function remediationFor(code: ErrorCode): string {
  return ERRORS[code].remediation;
}

const SPAWN_MESSAGE = 'ffmpeg could not be started.';

function unreachable(message: string): ClassifiedFailure {
  return result('unreachable', 'DESTINATION_UNREACHABLE', message, { probe: true, serverDown: true });
}

function result(
  kind: OutputErrorKind,
  code: OutputFailureCode,
  message: string,
  network: { probe?: boolean; serverDown?: boolean } = {},
): ClassifiedFailure {
  return {
    kind,
    code,
    message,
    remediation: ERRORS[code].remediation,
    probe: network.probe ?? false,
    serverDown: network.serverDown ?? false,
  };
}

function noun(output: OutputKind): string {
  return output === 'recording' ? 'recording' : output === 'preview' ? 'preview' : 'stream';
}
