// The Host guard: a request whose Host header is not one of the appliance's own names is refused
// before any route runs. A DNS-rebinding page (evil.example re-pointed at the appliance's address)
// is same-origin with itself in the browser, so its Origin matches its Host and the cross-site
// check alone lets it reach first-run setup and sign-in; the name it has to send gives it away.
// The names: localhost and the loopback addresses, this machine's host name and its .local name,
// every address of its network interfaces, and the names the operator configures (allowedHosts:
// a public name, a TLS proxy's name, a port-forwarded address).
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { AppError } from '../errors/registry.ts';
import type { ApiInstance } from './http.ts';
import { TrustedProxies } from './trusted-proxies.ts';

/** The names and addresses the appliance answers to (also what its own certificate names). */
export interface ApplianceNames {
  /** DNS names, lower case, no trailing dot. */
  dns: string[];
  /** IP addresses (IPv6 without brackets or zone). */
  ips: string[];
}

/** Where the machine's own names come from (tests hand in fixed ones). */
export interface MachineIdentity {
  hostname(): string;
  /** Every address of every network interface. */
  addresses(): string[];
}

export const thisMachine: MachineIdentity = {
  hostname: () => hostname(),
  addresses: () =>
    Object.values(networkInterfaces())
      .flat()
      .flatMap((entry) => (entry ? [entry.address] : [])),
};

const LOOPBACK_NAMES = ['localhost'];
const LOOPBACK_ADDRESSES = ['127.0.0.1', '::1'];
// Characters a Host header never needs; refusing them keeps URL parsing from reading a user part
// or a path into the name.
const NOT_IN_A_HOST = /[\s/\\?#@]/;
/** What a name may be made of once parsed (IDNs arrive as xn-- punycode). */
const DNS_NAME = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/;

/**
 * A name or address as the guard compares it: lower case, IPv4 and IPv6 in their canonical form,
 * no port, brackets, zone or trailing dot. Null when it is no host name at all.
 */
export function normalizeHost(value: string): string | null {
  const text = value.trim();
  if (text === '' || NOT_IN_A_HOST.test(text)) return null;
  let ipv6: string | null = null;
  if (text.startsWith('[')) {
    // [address] or [address]:port, as in a Host header; the zone (%eth0) never reaches a server.
    const match = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
    if (!match) return null;
    ipv6 = (match[1] ?? '').replace(/%.*$/, '');
  } else if (isIP(text.replace(/%.*$/, '')) === 6) {
    ipv6 = text.replace(/%.*$/, ''); // as networkInterfaces() and operators write it
  }
  if (ipv6 !== null && isIP(ipv6) !== 6) return null;
  let parsed: URL;
  try {
    parsed = new URL(`http://${ipv6 !== null ? `[${ipv6}]` : text}`);
  } catch {
    return null;
  }
  if (parsed.username || parsed.password || parsed.pathname !== '/') return null;
  const name = parsed.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (ipv6 === null && !DNS_NAME.test(name)) return null;
  return name;
}

/** The host a request names in its Host header, normalized; null when it names none. */
export function hostOfHeader(header: string | undefined): string | null {
  return header === undefined ? null : normalizeHost(header);
}

/** The appliance's names from this machine's host name, its addresses and the configured names. */
export function applianceNames(
  machineHostname: string,
  addresses: readonly string[],
  configured: readonly string[],
): ApplianceNames {
  const dns = new Set<string>(LOOPBACK_NAMES);
  const ips = new Set<string>(LOOPBACK_ADDRESSES);
  const add = (value: string) => {
    const name = normalizeHost(value);
    if (name === null) return;
    if (isIP(name) !== 0) ips.add(name);
    else dns.add(name);
  };
  const own = normalizeHost(machineHostname);
  if (own !== null && isIP(own) === 0) {
    add(own);
    // mDNS (avahi, Bonjour) publishes the first label under .local.
    add(`${own.split('.')[0]}.local`);
  }
  for (const address of addresses) add(address);
  for (const name of configured) add(name);
  return { dns: [...dns], ips: [...ips] };
}

/**
 * Which Host names are the appliance's. A miss looks at the machine again before refusing (an
 * address given by DHCP after the start, a renamed host), so only foreign names pay for that.
 */
export class HostPolicy {
  private known = new Set<string>();

  constructor(
    private readonly configured: readonly string[] = [],
    private readonly machine: MachineIdentity = thisMachine,
  ) {
    this.refresh();
  }

  /** The names and addresses as of now. */
  names(): ApplianceNames {
    return applianceNames(this.machine.hostname(), this.machine.addresses(), this.configured);
  }

  allows(host: string): boolean {
    if (this.known.has(host)) return true;
    this.refresh();
    return this.known.has(host);
  }

  private refresh(): void {
    const { dns, ips } = this.names();
    this.known = new Set([...dns, ...ips]);
  }
}

/** The refusal a request with a foreign (or no) Host gets. */
export function hostRefusal(host: string | null): AppError {
  return new AppError(
    'HOST_NOT_ALLOWED',
    host === null
      ? 'the request’s Host header is not a host name'
      : `this appliance does not answer to the name "${host.slice(0, 100)}"`,
  );
}

/**
 * Refuses every request whose Host is not the appliance's, before any route or sign-in runs. From a
 * trusted proxy, every name in X-Forwarded-Host (the host the browser named, when the proxy
 * rewrites Host) must be the appliance's too; from anyone else that header is ignored. Host is
 * checked either way: a rebinding page can add X-Forwarded-Host itself, but not change its Host.
 */
export function registerHostGuard(
  app: ApiInstance,
  policy: HostPolicy,
  proxies: TrustedProxies = new TrustedProxies(),
): void {
  app.addHook('onRequest', async (request) => {
    const forwarded = request.headers['x-forwarded-host'];
    if (forwarded !== undefined && proxies.trusts(request.socket.remoteAddress))
      for (const name of [forwarded].flat().flatMap((value) => value.split(','))) {
        const host = hostOfHeader(name);
        if (host === null || !policy.allows(host)) throw hostRefusal(host);
      }
    // A browser always names the host it was pointed at; a request naming none (HTTP/1.0, an
    // injected test request) comes from no web page, which is what the guard is about.
    if (request.headers.host === undefined) return;
    const host = hostOfHeader(request.headers.host);
    if (host === null || !policy.allows(host)) throw hostRefusal(host);
  });
}
