import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ValidationError } from './errors';

/**
 * The one gate for every URL a client gives flowq to fetch or call (a callback URL, an
 * image URL): http(s) only, no credentials in the URL, and no address that reaches
 * inside the network flowq runs in (loopback, private, link-local, unique-local, ...),
 * unless an operator allow-listed it (SSRF_ALLOWLIST).
 */

/** Why an address may not be fetched; `public` is the only one that may. */
export type AddressClass =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link_local'
  | 'unique_local'
  | 'multicast'
  | 'reserved'
  | 'documentation';

interface Range {
  family: 4 | 6;
  base: bigint;
  bits: number;
}

const V4_RANGES: [string, AddressClass][] = [
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'shared'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link_local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', 'reserved'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'reserved'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
];

const V6_RANGES: [string, AddressClass][] = [
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['100::/64', 'reserved'],
  ['2001::/23', 'reserved'],
  ['2001:db8::/32', 'documentation'],
  ['fc00::/7', 'unique_local'],
  ['fe80::/10', 'link_local'],
  ['fec0::/10', 'private'],
  ['ff00::/8', 'multicast'],
];

/** IPv6 prefixes that carry an IPv4 address in their last 32 bits: the IPv4 address decides. */
const V6_EMBEDDING_V4 = ['::ffff:0:0/96', '::/96', '64:ff9b::/96', '64:ff9b:1::/48'];

function parseV4(ip: string): bigint | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    n = (n << 8n) | BigInt(Number(p));
  }
  return n;
}

function parseV6(input: string): bigint | null {
  let ip = input.replace(/^\[|\]$/g, '');
  const zone = ip.indexOf('%');
  if (zone >= 0) ip = ip.slice(0, zone);
  if (isIP(ip) !== 6) return null;
  const lastColon = ip.lastIndexOf(':');
  if (ip.slice(lastColon + 1).includes('.')) {
    const v4 = parseV4(ip.slice(lastColon + 1));
    if (v4 === null) return null;
    ip = `${ip.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', rest] = ip.split('::') as [string, string | undefined];
  const headGroups = head ? head.split(':') : [];
  const restGroups = rest === undefined ? [] : rest ? rest.split(':') : [];
  const fill = rest === undefined ? 0 : 8 - headGroups.length - restGroups.length;
  const groups = [...headGroups, ...Array<string>(Math.max(fill, 0)).fill('0'), ...restGroups].map((g) => parseInt(g, 16));
  if (groups.length !== 8 || groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) return null;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** `a.b.c.d`, `a.b.c.d/n`, `x::y` or `x::y/n` as a range; null when it is none of these. */
export function parseCidr(text: string): Range | null {
  const [addr = '', prefix] = text.trim().split('/') as [string, string | undefined];
  const v4 = parseV4(addr);
  const family: 4 | 6 | null = v4 !== null ? 4 : parseV6(addr) !== null ? 6 : null;
  if (family === null) return null;
  const width = family === 4 ? 32 : 128;
  const bits = prefix === undefined ? width : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
  if (!Number.isInteger(bits) || bits < 0 || bits > width) return null;
  const value = family === 4 ? v4! : parseV6(addr)!;
  const shift = BigInt(width - bits);
  return { family, base: (value >> shift) << shift, bits };
}

function inRange(family: 4 | 6, value: bigint, range: Range): boolean {
  if (range.family !== family) return false;
  const shift = BigInt((family === 4 ? 32 : 128) - range.bits);
  return value >> shift === range.base >> shift;
}

const v4Ranges = V4_RANGES.map(([cidr, cls]) => ({ range: parseCidr(cidr)!, cls }));
const v6Ranges = V6_RANGES.map(([cidr, cls]) => ({ range: parseCidr(cidr)!, cls }));
const v6Embedding = V6_EMBEDDING_V4.map((cidr) => parseCidr(cidr)!);

/** What kind of address `ip` is (IPv4, IPv6, IPv4-mapped IPv6, NAT64); throws when it is not an IP address. */
export function classifyAddress(ip: string): AddressClass {
  const v4 = parseV4(ip);
  if (v4 !== null) return v4Ranges.find((r) => inRange(4, v4, r.range))?.cls ?? 'public';
  const v6 = parseV6(ip);
  if (v6 === null) throw new Error(`not an IP address: ${ip}`);
  // `::` and `::1` sit inside `::/96` too: they are what they are, not an IPv4 address.
  const own = v6Ranges.find((r) => inRange(6, v6, r.range) && r.range.bits === 128);
  if (own) return own.cls;
  if (v6Embedding.some((r) => inRange(6, v6, r))) return classifyAddress(numberToV4(v6 & 0xffffffffn));
  // 6to4 (2002::/16) carries an IPv4 address in bits 16-48.
  if (v6 >> 112n === 0x2002n) return classifyAddress(numberToV4((v6 >> 80n) & 0xffffffffn));
  return v6Ranges.find((r) => inRange(6, v6, r.range))?.cls ?? 'public';
}

function numberToV4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join('.');
}

/** SSRF_ALLOWLIST entries: host names (exact, or `*.example.com` for its subdomains) and IP ranges. */
export interface SsrfAllowList {
  hosts: string[];
  ranges: Range[];
}

/** Parses allow-list entries; a malformed CIDR throws, so a typo fails at start, not at the first fetch. */
export function parseSsrfAllowList(entries: readonly string[]): SsrfAllowList {
  const hosts: string[] = [];
  const ranges: Range[] = [];
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    const range = parseCidr(entry);
    if (range) ranges.push(range);
    else if (entry.includes('/') || !/^(\*\.)?[a-z0-9.-]+$/.test(entry)) throw new Error(`SSRF_ALLOWLIST: "${raw}" is neither a host name nor an IP range`);
    else hosts.push(entry);
  }
  return { hosts, ranges };
}

function hostAllowed(host: string, allow: SsrfAllowList): boolean {
  return allow.hosts.some((h) => (h.startsWith('*.') ? host.endsWith(h.slice(1)) : host === h));
}

function addressAllowed(ip: string, allow: SsrfAllowList): boolean {
  const v4 = parseV4(ip);
  if (v4 !== null) return allow.ranges.some((r) => inRange(4, v4, r));
  const v6 = parseV6(ip);
  return v6 !== null && allow.ranges.some((r) => inRange(6, v6, r));
}

/**
 * Whether flowq may open a connection to `address`, found for `host`: the check made again at
 * connect time, on the address actually used, so a name that resolves elsewhere the second
 * time (DNS rebinding) is still refused.
 */
export function mayConnect(host: string, address: string, allow: SsrfAllowList): boolean {
  const name = host
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.$/, '');
  if (hostAllowed(name, allow)) return true;
  return classifyAddress(address) === 'public' || addressAllowed(address, allow);
}

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true });

export interface FetchableUrl {
  url: URL;
  /**
   * Every address the host resolved to, all checked. Connect to one of these rather than
   * resolving again: a second lookup may answer differently (DNS rebinding).
   */
  addresses: string[];
}

/**
 * Checks `url` before flowq fetches or calls it, and throws a ValidationError naming
 * `field` when it may not: not http(s), credentials in it, a host that resolves to no
 * address, or any resolved address that is not public and not allow-listed.
 */
export async function assertFetchableUrl(
  input: string,
  opts: {
    allow?: readonly string[] | SsrfAllowList;
    field?: string;
    resolve?: Resolver;
    /** Plain http only for allow-listed hosts and addresses (callback and image URLs). */
    requireHttps?: boolean;
  } = {},
): Promise<FetchableUrl> {
  const field = opts.field ?? 'url';
  const allow = Array.isArray(opts.allow) ? parseSsrfAllowList(opts.allow) : ((opts.allow as SsrfAllowList | undefined) ?? { hosts: [], ranges: [] });
  const refuse = (why: string) => new ValidationError(`${field}: ${why}`, field);
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw refuse('must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refuse('must be an http(s) URL');
  if (url.username || url.password) throw refuse('must not carry credentials');
  // WHATWG URL already turned 0x7f.1, 2130706433 and friends into dotted quads.
  const host = url.hostname
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.$/, '');
  if (!host) throw refuse('has no host');
  if (hostAllowed(host, allow)) return { url, addresses: [] };
  const plainHttp = opts.requireHttps === true && url.protocol === 'http:';
  if (plainHttp && !(isIP(host) && addressAllowed(host, allow))) throw refuse('must be an https:// URL (plain http only for hosts in SSRF_ALLOWLIST)');
  if (host === 'localhost' || host.endsWith('.localhost')) throw refuse('must not point at this machine');
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await (opts.resolve ?? systemResolver)(host)).map((a) => a.address);
    } catch {
      throw refuse(`host ${host} does not resolve`);
    }
    if (addresses.length === 0) throw refuse(`host ${host} does not resolve`);
  }
  for (const address of addresses) {
    const cls = classifyAddress(address);
    if (cls !== 'public' && !addressAllowed(address, allow)) {
      throw refuse(`must not point at a ${cls.replace('_', '-')} address (${host === address ? address : `${host} is ${address}`})`);
    }
  }
  return { url, addresses };
}
