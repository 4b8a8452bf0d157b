/** Which addresses a push message may reach, and which endpoint hosts `allowEndpoint` lists accept. */
import { describe, expect, it } from 'vitest';
import { FerryConfigError } from '../src/errors.ts';
import { ipv6Bytes, isPublicAddress, literalAddress } from '../src/web-push/addresses.ts';
import { DEFAULT_PUSH_ENDPOINT_HOSTS, hostPatternMatcher } from '../src/web-push/endpoints.ts';

describe('public addresses', () => {
  it('refuses every private, loopback, link-local, shared, multicast, reserved or unspecified address', () => {
    const refused = [
      '0.0.0.0',
      '0.1.2.3',
      '10.0.0.1',
      '100.64.0.1',
      '100.127.255.254',
      '127.0.0.1',
      '127.255.255.255',
      '169.254.169.254',
      '172.16.0.1',
      '172.31.255.255',
      '192.0.0.8',
      '192.0.2.1',
      '192.168.1.1',
      '198.18.0.1',
      '198.51.100.7',
      '203.0.113.9',
      '224.0.0.1',
      '239.255.255.250',
      '240.0.0.1',
      '255.255.255.255',
      '::',
      '::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:169.254.169.254',
      '::ffff:10.0.0.1',
      '0:0:0:0:0:ffff:a00:1',
      '::127.0.0.1',
      '64:ff9b::10.0.0.1',
      '64:ff9b:1::1',
      'fc00::1',
      'fd12:3456::1',
      'fe80::1',
      'fe80::1%eth0',
      'febf::1',
      'ff02::1',
      '100::1',
      '2001::1',
      '2001:db8::1',
      '2002:7f00:1::1',
      '3fff::1',
      'not an address',
      'localhost',
      '',
    ];
    for (const address of refused)
      expect([address, isPublicAddress(address)]).toEqual([address, false]);
  });

  it('accepts public unicast addresses, also through IPv4-mapped and NAT64 forms', () => {
    const accepted = [
      '8.8.8.8',
      '142.250.185.106',
      '100.63.255.255',
      '100.128.0.0',
      '172.15.255.255',
      '172.32.0.0',
      '192.169.0.1',
      '223.255.255.255',
      '::ffff:8.8.8.8',
      '64:ff9b::8.8.8.8',
      '2a00:1450:4001:82b::200a',
      '2606:4700::1111',
      '2001:4860:4860::8888',
    ];
    for (const address of accepted)
      expect([address, isPublicAddress(address)]).toEqual([address, true]);
  });

  it('reads every textual form of an IPv6 address', () => {
    expect(ipv6Bytes('::1')).toEqual([...new Array(15).fill(0), 1]);
    expect(ipv6Bytes('::ffff:1.2.3.4').slice(10)).toEqual([0xff, 0xff, 1, 2, 3, 4]);
    expect(ipv6Bytes('2001:db8::8:800:200c:417a')).toEqual([
      0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0x08, 0x08, 0x00, 0x20, 0x0c, 0x41, 0x7a,
    ]);
    expect(ipv6Bytes('fe80::')).toEqual([0xfe, 0x80, ...new Array(14).fill(0)]);
  });

  it('finds literal addresses in URL hostnames, whatever form the URL was written in', () => {
    const hostOf = (url: string) => literalAddress(new URL(url).hostname);
    expect(hostOf('https://0x7f000001/')).toBe('127.0.0.1');
    expect(hostOf('https://2130706433/')).toBe('127.0.0.1');
    expect(hostOf('https://0177.0.0.1/')).toBe('127.0.0.1');
    expect(hostOf('https://127.1/')).toBe('127.0.0.1');
    expect(hostOf('https://[::ffff:127.0.0.1]/')).toBe('::ffff:7f00:1');
    expect(hostOf('https://[::1]:8443/')).toBe('::1');
    expect(hostOf('https://fcm.googleapis.com/')).toBeUndefined();
    expect(hostOf('https://127.0.0.1.nip.io/')).toBeUndefined();
  });
});

describe('endpoint host lists', () => {
  const allows = (patterns: readonly string[], url: string) =>
    hostPatternMatcher(patterns, 'webPush.allowEndpoint')(new URL(url));

  it('accept the browsers’ push services by default, and nothing else', () => {
    for (const url of [
      'https://fcm.googleapis.com/fcm/send/abc',
      'https://fcm.googleapis.com/wp/abc',
      'https://updates.push.services.mozilla.com/wpush/v2/abc',
      'https://wns2-par02p.notify.windows.com/w/?token=abc',
      'https://web.push.apple.com/QGx',
      'https://api.push.apple.com/3/device/abc',
    ])
      expect([url, allows(DEFAULT_PUSH_ENDPOINT_HOSTS, url)]).toEqual([url, true]);
    for (const url of [
      'https://evil.example/fcm.googleapis.com',
      'https://fcm.googleapis.com.evil.example/',
      'https://evilfcm.googleapis.com/',
      'https://notify.windows.com/',
      'https://evil-push.apple.com/',
      'https://fcm.googleapis.com:8443/',
      'https://fcm.googleapis.com./',
      'https://127.0.0.1/',
    ])
      expect([url, allows(DEFAULT_PUSH_ENDPOINT_HOSTS, url)]).toEqual([url, false]);
  });

  it('match a port only when the pattern names it', () => {
    expect(allows(['push.example.com:8443'], 'https://push.example.com:8443/x')).toBe(true);
    expect(allows(['push.example.com:8443'], 'https://push.example.com/x')).toBe(false);
    expect(allows(['*.example.com'], 'https://a.b.example.com/x')).toBe(true);
    expect(allows(['*.example.com'], 'https://example.com/x')).toBe(false);
  });

  it('refuse patterns that are not host names, naming the option', () => {
    for (const pattern of [
      'https://fcm.googleapis.com',
      'fcm.googleapis.com/path',
      '*',
      'a.*.com',
      '',
    ])
      expect(() => hostPatternMatcher([pattern], 'webPush.allowEndpoint')).toThrow(
        FerryConfigError,
      );
  });
});
