// HTTPS for the appliance. At the first start it makes its own certificate (Node 20's crypto makes
// the key but cannot sign an X.509 certificate, so Debian's openssl signs it): self-signed, naming
// every name and address the appliance answers to, kept in <data>/tls/ (the key 0600). It is made
// again when it no longer names one of them or is about to expire; an operator's own certificate
// and key (config tlsCert/tlsKey) are used as they are. Plain HTTP then only redirects to HTTPS.
import { generateKeyPairSync, createPrivateKey, X509Certificate } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { Clock, TimerHandle } from '../core/clock.ts';
import { ERRORS } from '../errors/registry.ts';
import { runToCompletion, type RunLimits } from '../process/run.ts';
import {
  hostOfHeader,
  hostRefusal,
  normalizeHost,
  type ApplianceNames,
  type HostPolicy,
} from './host-guard.ts';
import { messageOf } from '../core/message-of.ts';

/** Browsers (Apple's first) refuse certificates valid longer than 825 days. */
export const CERTIFICATE_DAYS = 825;
/** Made again this long before it expires (checked at each start). */
export const RENEW_BEFORE_DAYS = 30;
const DAY_MS = 86_400_000;

export class TlsError extends Error {}

export interface TlsMaterial {
  key: Buffer;
  cert: Buffer;
  /** Where the certificate is (to copy to a browser or a monitor). */
  certPath: string;
  /** SHA-256 fingerprint, colon-separated hex, as browsers show it. */
  fingerprint256: string;
  /** The names and addresses it is valid for. */
  names: ApplianceNames;
  validTo: Date;
  /** 'made': made now (why: `reason`); 'kept': the appliance's own from before; 'operator': supplied. */
  origin: 'made' | 'kept' | 'operator';
  reason?: string;
}

/** What a certificate says about itself. */
export interface CertificateFacts {
  names: ApplianceNames;
  validToMs: number;
  fingerprint256: string;
}

export function certificateFacts(pem: Buffer | string): CertificateFacts {
  const certificate = new X509Certificate(pem);
  const dns: string[] = [];
  const ips: string[] = [];
  for (const entry of (certificate.subjectAltName ?? '').split(/,\s*/)) {
    const [kind, ...rest] = entry.split(':');
    const value = normalizeHost(rest.join(':'));
    if (value === null) continue;
    if (kind === 'DNS') dns.push(value);
    if (kind === 'IP Address') ips.push(value);
  }
  return {
    names: { dns, ips },
    validToMs: Date.parse(certificate.validTo),
    fingerprint256: certificate.fingerprint256,
  };
}

/** Whether the appliance's own certificate must be made (again), and why. */
export function certificateVerdict(
  existing: Pick<CertificateFacts, 'names' | 'validToMs'> | null,
  wanted: ApplianceNames,
  nowMs: number,
): { make: false } | { make: true; reason: string } {
  if (existing === null) return { make: true, reason: 'there was none yet' };
  if (existing.validToMs - nowMs < RENEW_BEFORE_DAYS * DAY_MS)
    return { make: true, reason: `the old one expires on ${new Date(existing.validToMs).toISOString()}` };
  const missing = [
    ...wanted.dns.filter((name) => !existing.names.dns.includes(name)),
    ...wanted.ips.filter((ip) => !existing.names.ips.includes(ip)),
  ];
  if (missing.length > 0) return { make: true, reason: `the old one did not name ${missing.join(', ')}` };
  return { make: false };
}

/** The certificate's subject: the machine's name, kept to characters -subj takes as they are. */
export function certificateSubject(names: ApplianceNames): string {
  const own = names.dns.find((name) => name !== 'localhost') ?? 'appliance';
  return `/O=VistterStream/CN=${own.replace(/[^a-z0-9.-]/g, '-').slice(0, 64)}`;
}

/** openssl argv: a self-signed certificate for `keyPath`'s key, naming `names`, written to `certPath`. */
export function selfSignedCertificateArgs(options: {
  keyPath: string;
  certPath: string;
  names: ApplianceNames;
  days: number;
}): string[] {
  const alternatives = [
    ...options.names.dns.map((name) => `DNS:${name}`),
    ...options.names.ips.map((ip) => `IP:${ip}`),
  ];
  return [
    'req',
    '-x509',
    '-new',
    '-key',
    options.keyPath,
    '-out',
    options.certPath,
    '-days',
    String(options.days),
    '-sha256',
    '-subj',
    certificateSubject(options.names),
    '-addext',
    `subjectAltName=${alternatives.join(',')}`,
    '-addext',
    'extendedKeyUsage=serverAuth',
  ];
}

/** Where the appliance keeps its own certificate and key. */
export function certificatePaths(dataDir: string): { dir: string; cert: string; key: string } {
  const dir = join(dataDir, 'tls');
  return { dir, cert: join(dir, 'appliance.crt'), key: join(dir, 'appliance.key') };
}

export type RunOpenssl = (args: string[]) => Promise<void>;

/** openssl writes its files itself; what it says is a few lines. */
const OPENSSL_LIMITS: RunLimits = {
  maxStdoutBytes: 64 * 1024,
  killOnOverflow: false,
  maxStderrChars: 64 * 1024,
};

/** Runs Debian's openssl (a short run at start: no supervisor needed, a deadline instead). */
export const runOpenssl: RunOpenssl = async (args) => {
  const result = await runToCompletion('openssl', args, 30_000, OPENSSL_LIMITS, { label: 'openssl' });
  if (result.code === 0 && !result.timedOut && result.spawnError === undefined) return;
  const failure =
    result.stderr.trim() ||
    result.spawnError ||
    (result.timedOut
      ? 'it did not finish within 30 s'
      : `it exited with ${result.signal ?? `code ${result.code}`}`);
  throw new TlsError(
    result.spawnErrorCode === 'ENOENT'
      ? 'openssl is not installed: run scripts/install-system-deps.sh (or apt-get install openssl), ' +
          'or give the appliance a certificate (tlsCert, tlsKey), or set VISTTER_TLS=0 behind a TLS proxy'
      : `openssl could not make the certificate: ${failure}`,
  );
};

function keyMatches(cert: Buffer, key: Buffer): boolean {
  try {
    return new X509Certificate(cert).checkPrivateKey(createPrivateKey(key));
  } catch {
    return false;
  }
}

/**
 * The appliance's own certificate for `names`: the one in <data>/tls/ while it still fits, else a
 * new one (a new key too). The key is written 0600 before openssl reads it; both files replace
 * the old ones only once complete, and a key that does not match the certificate (a crash between
 * the two) makes a new pair.
 */
export async function applianceCertificate(options: {
  dataDir: string;
  names: ApplianceNames;
  nowMs: number;
  openssl?: RunOpenssl;
}): Promise<TlsMaterial> {
  const paths = certificatePaths(options.dataDir);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  chmodSync(paths.dir, 0o700);
  let reason = 'there was none yet';
  if (existsSync(paths.cert) && existsSync(paths.key)) {
    const cert = readFileSync(paths.cert);
    const key = readFileSync(paths.key);
    let existing: CertificateFacts | null;
    try {
      existing = keyMatches(cert, key) ? certificateFacts(cert) : null;
    } catch {
      existing = null;
    }
    const verdict = existing
      ? certificateVerdict(existing, options.names, options.nowMs)
      : { make: true as const, reason: 'the old one was unreadable or not of its key' };
    if (existing && !verdict.make) {
      if ((statSync(paths.key).mode & 0o077) !== 0) chmodSync(paths.key, 0o600);
      return {
        key,
        cert,
        certPath: paths.cert,
        fingerprint256: existing.fingerprint256,
        names: existing.names,
        validTo: new Date(existing.validToMs),
        origin: 'kept',
      };
    }
    if (verdict.make) reason = verdict.reason;
  }
  const newKey = `${paths.key}.new`;
  const newCert = `${paths.cert}.new`;
  rmSync(newKey, { force: true });
  rmSync(newCert, { force: true });
  const { privateKey } = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  writeFileSync(newKey, privateKey, { mode: 0o600, flag: 'wx' });
  await (options.openssl ?? runOpenssl)(
    selfSignedCertificateArgs({
      keyPath: newKey,
      certPath: newCert,
      names: options.names,
      days: CERTIFICATE_DAYS,
    }),
  );
  renameSync(newKey, paths.key);
  renameSync(newCert, paths.cert);
  const cert = readFileSync(paths.cert);
  const facts = certificateFacts(cert);
  return {
    key: Buffer.from(privateKey),
    cert,
    certPath: paths.cert,
    fingerprint256: facts.fingerprint256,
    names: facts.names,
    validTo: new Date(facts.validToMs),
    origin: 'made',
    reason,
  };
}

/** The operator's certificate and key (PEM files), checked to belong together. */
export function operatorCertificate(certPath: string, keyPath: string): TlsMaterial {
  const read = (path: string, what: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new TlsError(`the ${what} ${path} cannot be read (${messageOf(error)})`);
    }
  };
  const cert = read(certPath, 'certificate (tlsCert)');
  const key = read(keyPath, 'key (tlsKey)');
  let facts: CertificateFacts;
  try {
    facts = certificateFacts(cert);
  } catch {
    throw new TlsError(`the certificate ${certPath} (tlsCert) is not a PEM certificate`);
  }
  if (!keyMatches(cert, key))
    throw new TlsError(`the key ${keyPath} (tlsKey) is not the key of the certificate ${certPath} (tlsCert)`);
  return {
    key,
    cert,
    certPath,
    fingerprint256: facts.fingerprint256,
    names: facts.names,
    validTo: new Date(facts.validToMs),
    origin: 'operator',
  };
}

/** The certificate to serve: the operator's when configured, else the appliance's own. */
export async function serverCertificate(options: {
  tlsFiles: { cert: string; key: string } | null;
  dataDir: string;
  names: ApplianceNames;
  nowMs: number;
}): Promise<TlsMaterial> {
  return options.tlsFiles
    ? operatorCertificate(options.tlsFiles.cert, options.tlsFiles.key)
    : await applianceCertificate(options);
}

/**
 * Looks at the appliance's own certificate once a day while it runs, and hands a new one to
 * `renewed` (a new address, or 30 days before it expires): an appliance up for years never
 * serves an expired certificate, and one that got a new address names it by the next day.
 */
export function renewDaily(options: {
  clock: Clock;
  check: () => Promise<TlsMaterial>;
  renewed: (material: TlsMaterial) => void;
  failed: (error: unknown) => void;
}): { stop(): void } {
  let timer: TimerHandle | null = null;
  let stopped = false;
  const schedule = () => {
    timer = options.clock.setTimeout(() => {
      void options
        .check()
        .then((material) => {
          if (!stopped && material.origin === 'made') options.renewed(material);
        })
        .catch(options.failed)
        .finally(() => {
          if (!stopped) schedule();
        });
    }, DAY_MS);
  };
  schedule();
  return {
    stop: () => {
      stopped = true;
      timer?.cancel();
    },
  };
}

/** The start's lines about the certificate: where it is, and how to check the one a browser shows. */
export function describeCertificate(material: TlsMaterial): string[] {
  const whose =
    material.origin === 'made'
      ? `made by this appliance now (${material.reason ?? 'new'})`
      : material.origin === 'kept'
        ? 'made by this appliance'
        : 'yours (tlsCert)';
  return [
    `  HTTPS certificate: ${material.certPath}, ${whose}, valid until ${material.validTo.toISOString().slice(0, 10)}`,
    `    SHA-256 fingerprint ${material.fingerprint256}`,
    '    The browser warns until it trusts this certificate: check that the fingerprint it shows is this one,',
    '    then accept it or install the file (README "HTTPS and hosts").',
  ];
}

/** What the plain HTTP port answers: a permanent redirect to the same host and path over HTTPS. */
export function httpsRedirect(
  hostHeader: string | undefined,
  requestUrl: string | undefined,
  httpsPort: number,
  policy: HostPolicy,
): { status: 308; location: string } | { status: number; text: string } {
  if (hostHeader === undefined)
    return { status: 400, text: 'The request names no host: open the appliance’s https:// address.\n' };
  const host = hostOfHeader(hostHeader);
  if (host === null || !policy.allows(host)) {
    const refusal = hostRefusal(host);
    const sentence = refusal.message.charAt(0).toUpperCase() + refusal.message.slice(1);
    return { status: refusal.status, text: `${sentence}. ${ERRORS.HOST_NOT_ALLOWED.remediation}\n` };
  }
  // Only the path and query go on: an absolute-form target ("http://other/…") cannot pick the host.
  let target: URL;
  try {
    target = new URL(requestUrl ?? '/', 'http://appliance');
  } catch {
    return { status: 400, text: 'The request target is not a path.\n' };
  }
  const hostPart = isIP(host) === 6 ? `[${host}]` : host;
  const portPart = httpsPort === 443 ? '' : `:${httpsPort}`;
  return { status: 308, location: `https://${hostPart}${portPart}${target.pathname}${target.search}` };
}

/** The plain HTTP listener when the appliance serves HTTPS itself: it only redirects. */
export async function listenForHttpsRedirects(options: {
  host: string;
  port: number;
  httpsPort: number;
  policy: HostPolicy;
}): Promise<Server> {
  const server = createHttpsRedirectServer(options.httpsPort, options.policy);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

function createHttpsRedirectServer(httpsPort: number, policy: HostPolicy): Server {
  return createServer((request, response) => {
    const answer = httpsRedirect(request.headers.host, request.url, httpsPort, policy);
    if ('location' in answer) {
      response.writeHead(answer.status, { location: answer.location, 'content-length': '0' });
      response.end();
      return;
    }
    response.writeHead(answer.status, { 'content-type': 'text/plain; charset=utf-8' });
    response.end(answer.text);
  });
}
