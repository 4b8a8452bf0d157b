/** The line `ferry serve` prints once it listens, for one address and for every interface. */
import { describe, expect, it } from 'vitest';
import { listeningAddress, listeningLine } from '../src/cli/listening.ts';

describe('ferry serve: where it listens', () => {
  it('prints the bound address as it is when it is one address', () => {
    const address = listeningAddress('http://127.0.0.1:8787');
    expect(address).toEqual({
      bound: 'http://127.0.0.1:8787',
      local: 'http://127.0.0.1:8787',
      allInterfaces: undefined,
    });
    expect(listeningLine(address, false)).toBe('Ferry is listening on http://127.0.0.1:8787');
  });

  it('says 0.0.0.0 is every IPv4 interface and gives localhost to open', () => {
    expect(listeningLine(listeningAddress('http://0.0.0.0:8787'), true)).toBe(
      'Ferry is listening on http://0.0.0.0:8787 (every IPv4 interface; on this machine open http://localhost:8787) (dev mode: POST /v1/dev/token mints tokens)',
    );
  });

  it('says :: is every interface, IPv6 and IPv4', () => {
    const address = listeningAddress('http://[::]:80');
    expect(address.local).toBe('http://localhost');
    expect(address.allInterfaces).toBe('every network interface (IPv6 and IPv4)');
  });
});
