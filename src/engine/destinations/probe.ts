// A plain TCP connect to a destination's server, used while a publisher waits out its backoff
// after a network-level failure: the moment the server accepts connections again the publisher
// retries at once instead of sleeping up to a minute (DESIGN.md §1: the stream is the product).
// Only the host and port are used; the stream key (the URL path) never leaves this module's caller.
import { connect } from 'node:net';

export interface ProbeTarget {
  host: string;
  port: number;
}

/** Resolves true if a TCP connection to the target was accepted within timeoutMs. Never rejects. */
export type Probe = (target: ProbeTarget, timeoutMs: number) => Promise<boolean>;

const DEFAULT_PORTS: Readonly<Record<string, number>> = { rtmp: 1935, rtmps: 443 };

/**
 * Host and TCP port of an rtmp:// or rtmps:// URL (default ports 1935 and 443). Null for any other
 * scheme (SRT runs over UDP: there is no connection to probe) or an unparseable URL.
 */
export function probeTargetFromUrl(url: string): ProbeTarget | null {
  const m = /^(rtmps?):\/\/(?:[^@/?#]*@)?(\[[^\]]+\]|[^:/?#]+)(?::(\d+))?(?:[/?#]|$)/i.exec(url.trim());
  if (!m) return null;
  const scheme = m[1]!.toLowerCase();
  const host = m[2]!.replace(/^\[|\]$/g, '');
  const port = m[3] === undefined ? DEFAULT_PORTS[scheme] : Number(m[3]);
  if (port === undefined || !Number.isInteger(port) || port < 1 || port > 65535 || host === '') return null;
  return { host, port };
}

/** The probe target of a publisher argv: its destination URL is the last element (publisherArgs). */
export function probeTargetFromArgs(args: readonly string[]): ProbeTarget | null {
  const last = args.at(-1);
  return last === undefined ? null : probeTargetFromUrl(last);
}

/** Connects, and closes again at once: the server sees a connection without a single byte. */
export const tcpProbe: Probe = (target, timeoutMs) =>
  new Promise((resolve) => {
    const socket = connect({ host: target.host, port: target.port });
    let settled = false;
    const done = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeAllListeners('connect');
      socket.on('error', () => undefined); // a late RST after destroy must not crash anything
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), Math.max(1, timeoutMs));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
