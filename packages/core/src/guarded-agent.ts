import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent } from 'undici';
import { mayConnect, parseSsrfAllowList, type SsrfAllowList } from './ssrf-guard';

/** Thrown (as the fetch's cause) when a host resolved, at connect time, to an address flowq may not reach. */
export class BlockedAddressError extends Error {
  readonly code = 'EBLOCKEDADDRESS';
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(`${host} resolved to ${address}, an address flowq may not connect to`);
  }
}

/**
 * An undici dispatcher whose every connection resolves its host itself and refuses any
 * address the SSRF guard would refuse: the URL was checked when a client gave it, and this
 * checks it again on the address actually dialled, after any change in DNS.
 */
export function createGuardedAgent(allow: readonly string[] | SsrfAllowList, opts: { connectTimeoutMs?: number } = {}): Agent {
  const list = Array.isArray(allow) ? parseSsrfAllowList(allow) : (allow as SsrfAllowList);
  const lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true, verbatim: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const blocked = addresses.find((a) => !mayConnect(hostname, a.address, list));
      if (blocked) return callback(new BlockedAddressError(hostname, blocked.address), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      callback(null, first.address, first.family);
    });
  };
  return new Agent({ connect: { lookup, timeout: opts.connectTimeoutMs ?? 10_000 } });
}
