// Which peers may speak for a client (VISTTER_TRUSTED_PROXIES: addresses and CIDRs, none by
// default). Behind a reverse proxy every request arrives from the proxy's address, so the sign-in
// limit and the website's per-client limits would count every visitor as one client. A request
// whose connection comes from a listed proxy takes its client address from X-Forwarded-For (Fastify's
// trustProxy, with this as its trust function) and may name the browser's host in
// X-Forwarded-Host (checked by the Host guard); from anyone else both headers are ignored, since
// anyone can send them.
import { BlockList, isIP } from 'node:net';

/** An address or a CIDR block as written in the configuration; null when it is neither. */
export function parseProxyEntry(
  text: string,
): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const match = /^([^/\s]+)(?:\/(\d{1,3}))?$/.exec(text.trim());
  if (!match) return null;
  const address = match[1] ?? '';
  const version = isIP(address);
  if (version === 0) return null;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const bits = version === 4 ? 32 : 128;
  const prefix = match[2] === undefined ? bits : Number(match[2]);
  return prefix <= bits ? { address, prefix, family } : null;
}

/** "::ffff:10.0.0.1" (an IPv4 peer on a dual-stack socket) as the IPv4 address it is. */
function unmapped(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

export class TrustedProxies {
  private readonly list = new BlockList();
  readonly entries: readonly string[];

  /** Throws naming the first entry that is no address or CIDR block. */
  constructor(entries: readonly string[] = []) {
    for (const entry of entries) {
      const parsed = parseProxyEntry(entry);
      if (parsed === null) throw new Error(`"${entry}" is not an address or CIDR block`);
      this.list.addSubnet(parsed.address, parsed.prefix, parsed.family);
    }
    this.entries = [...entries];
  }

  /** True when a connection from `address` comes from a listed proxy. */
  trusts(address: string | undefined): boolean {
    if (address === undefined || this.entries.length === 0) return false;
    const plain = unmapped(address);
    const version = isIP(plain);
    return version !== 0 && this.list.check(plain, version === 4 ? 'ipv4' : 'ipv6');
  }

  /** Fastify's trustProxy: off without proxies, else this list for every hop of X-Forwarded-For. */
  fastifyOption(): false | ((address: string, hop: number) => boolean) {
    return this.entries.length === 0 ? false : (address) => this.trusts(address);
  }
}
