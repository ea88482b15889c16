import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors';
import { assertFetchableUrl, classifyAddress, parseCidr, parseSsrfAllowList, type Resolver } from './ssrf-guard';

describe('classifyAddress', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['100.64.0.1', 'shared'],
    ['100.128.0.1', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'link_local'],
    ['172.15.255.255', 'public'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.0', 'public'],
    ['192.0.2.10', 'documentation'],
    ['192.168.1.1', 'private'],
    ['198.18.0.1', 'reserved'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['fe80::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['febf::1', 'link_local'],
    ['fc00::1', 'unique_local'],
    ['fd12:3456::1', 'unique_local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['2606:4700:4700::1111', 'public'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::169.254.169.254', 'link_local'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:0808:0808::1', 'public'],
  ] as const)('%s is %s', (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
  });

  it('refuses what is not an address', () => {
    expect(() => classifyAddress('example.com')).toThrow();
    expect(() => classifyAddress('256.1.1.1')).toThrow();
  });
});

describe('parseCidr and the allow-list', () => {
  it('reads single addresses and ranges of both families', () => {
    expect(parseCidr('10.0.0.0/8')).toMatchObject({ family: 4, bits: 8 });
    expect(parseCidr('10.1.2.3')).toMatchObject({ family: 4, bits: 32 });
    expect(parseCidr('fd00::/8')).toMatchObject({ family: 6, bits: 8 });
    expect(parseCidr('10.0.0.0/33')).toBeNull();
    expect(parseCidr('nope/8')).toBeNull();
  });

  it('splits hosts from ranges and refuses malformed entries', () => {
    expect(parseSsrfAllowList(['Hooks.Internal', '*.corp.test', '10.0.0.0/8', ' ', '::1'])).toMatchObject({
      hosts: ['hooks.internal', '*.corp.test'],
      ranges: [
        { family: 4, bits: 8 },
        { family: 6, bits: 128 },
      ],
    });
    expect(() => parseSsrfAllowList(['10.0.0.0/99'])).toThrow(/SSRF_ALLOWLIST/);
    expect(() => parseSsrfAllowList(['http://x'])).toThrow(/SSRF_ALLOWLIST/);
  });
});

/** DNS answers for the test, so nothing leaves the machine. */
const dns: Record<string, string[]> = {
  'public.example': ['93.184.216.34'],
  'rebind.example': ['93.184.216.34', '127.0.0.1'],
  'metadata.example': ['169.254.169.254'],
  'v6.example': ['2606:4700::1'],
  'ula.example': ['fd00::5'],
  'hooks.corp.test': ['10.1.2.3'],
};
const resolve: Resolver = async (host) => {
  const found = dns[host];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

async function refusal(url: string, allow: string[] = []): Promise<string> {
  try {
    await assertFetchableUrl(url, { allow, resolve, field: 'callbackUrl' });
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).field).toBe('callbackUrl');
    return (err as Error).message;
  }
  return 'allowed';
}

describe('assertFetchableUrl', () => {
  it.each([
    ['https://public.example/video.mp4', 'allowed'],
    ['http://public.example:8080/x', 'allowed'],
    ['https://v6.example/', 'allowed'],
    ['https://93.184.216.34/', 'allowed'],
    ['https://[2606:4700:4700::1111]/', 'allowed'],
    ['ftp://public.example/', /http\(s\) URL/],
    ['file:///etc/passwd', /http\(s\) URL/],
    ['gopher://127.0.0.1:6379/_INFO', /http\(s\) URL/],
    ['javascript:alert(1)', /http\(s\) URL/],
    ['not a url', /absolute http\(s\) URL/],
    ['https://user:pw@public.example/', /credentials/],
    ['http://localhost:3000/', /this machine/],
    ['http://api.localhost/', /this machine/],
    ['http://127.0.0.1/', /loopback/],
    ['http://127.1/', /loopback/],
    ['http://2130706433/', /loopback/],
    ['http://0x7f000001/', /loopback/],
    ['http://0177.0.0.1/', /loopback/],
    ['http://0.0.0.0/', /unspecified/],
    ['http://[::1]/', /loopback/],
    ['http://[::ffff:127.0.0.1]/', /loopback/],
    ['http://[::ffff:169.254.169.254]/', /link-local/],
    ['http://[fe80::1]/', /link-local/],
    ['http://[fd00::1]/', /unique-local/],
    ['http://10.0.0.5/', /private/],
    ['http://192.168.0.1/', /private/],
    ['http://169.254.169.254/latest/meta-data/', /link-local/],
    ['http://metadata.example/', /link-local address \(metadata.example is 169.254.169.254\)/],
    ['http://rebind.example/', /loopback/],
    ['http://ula.example/', /unique-local/],
    ['http://nowhere.example/', /does not resolve/],
  ])('%s -> %s', async (url, expected) => {
    const answer = await refusal(url);
    if (typeof expected === 'string') expect(answer).toBe(expected);
    else expect(answer).toMatch(expected);
  });

  it('lets an operator allow-list internal hosts and ranges, and nothing else', async () => {
    expect(await refusal('http://hooks.corp.test/cb', ['hooks.corp.test'])).toBe('allowed');
    expect(await refusal('http://hooks.corp.test/cb', ['*.corp.test'])).toBe('allowed');
    expect(await refusal('http://hooks.corp.test/cb', ['10.0.0.0/8'])).toBe('allowed');
    expect(await refusal('http://10.9.9.9/', ['10.0.0.0/8'])).toBe('allowed');
    expect(await refusal('http://hooks.corp.test/cb', ['10.2.0.0/16'])).toMatch(/private/);
    expect(await refusal('http://127.0.0.1/', ['10.0.0.0/8'])).toMatch(/loopback/);
    expect(await refusal('http://[fd00::1]/', ['fd00::/8'])).toBe('allowed');
    expect(await refusal('http://evil-corp.test/', ['*.corp.test'])).toMatch(/does not resolve/);
  });

  it('answers every resolved address, so the caller can connect to a checked one', async () => {
    const ok = await assertFetchableUrl('https://public.example/a', { resolve });
    expect(ok.addresses).toEqual(['93.184.216.34']);
    expect(ok.url.pathname).toBe('/a');
  });
});
