/**
 * Regression: dev mode did not check `Host`, so `POST /v1/dev/token` with
 * `Host: attacker.example` answered 200 and a web page could mint tokens from the
 * developer's server through DNS rebinding. Dev mode now answers only requests addressed
 * to a loopback name or address (or, when asked, an IP address), over a real socket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAllowedDevHost, isLoopbackHostname } from '../src/http/dev-hosts.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { requestWithHost } from './support/host-request.ts';
import { type RunningServer, startServer } from './support/server.ts';

const kind = DATABASE_KINDS.at(-1)!;
const DEV_TOKEN = { method: 'POST', body: '{"user":"alice"}' };

describe('dev mode’s Host check', () => {
  let server: RunningServer;
  let port: string;
  beforeAll(async () => {
    server = await startServer(kind, { dev: true });
    port = new URL(server.url).port;
  });
  afterAll(() => server.stop());

  it('refuses a dev token to a request addressed to another name, saying why', async () => {
    const refused = await requestWithHost(
      server.url,
      '/v1/dev/token',
      'attacker.example',
      DEV_TOKEN,
    );
    expect(refused.status).toBe(403);
    expect(refused.json().error.code).toBe('forbidden');
    expect(refused.json().error.message).toMatch(/dev mode.*DNS rebinding/);
    const withPort = await requestWithHost(
      server.url,
      '/v1/dev/token',
      `attacker.example:${port}`,
      DEV_TOKEN,
    );
    expect(withPort.status).toBe(403);
  });

  it('refuses every route, not only the token route', async () => {
    for (const path of ['/healthz', '/metrics', '/v1/events', '/no-such-page']) {
      expect((await requestWithHost(server.url, path, 'attacker.example')).status).toBe(403);
    }
  });

  it('answers requests addressed to localhost, *.localhost, 127.0.0.0/8 and [::1]', async () => {
    for (const host of [
      `localhost:${port}`,
      'localhost',
      `app.localhost:${port}`,
      `LOCALHOST:${port}`,
      `127.0.0.1:${port}`,
      `127.8.9.10:${port}`,
      `[::1]:${port}`,
    ]) {
      const minted = await requestWithHost(server.url, '/v1/dev/token', host, DEV_TOKEN);
      expect(minted.status, host).toBe(200);
      expect(minted.json().token).toEqual(expect.any(String));
    }
  });

  it('refuses LAN addresses and names that only look local', async () => {
    for (const host of [
      `192.168.1.20:${port}`,
      'localhost.attacker.example',
      'attacker.example.localhost.evil',
      '127.0.0.1.nip.io',
      'evil@localhost',
    ]) {
      const refused = await requestWithHost(server.url, '/v1/dev/token', host, DEV_TOKEN);
      expect(refused.status, host).not.toBe(200);
    }
  });
});

describe('dev mode with devAllowedHosts: loopback-or-ip', () => {
  it('also answers IP addresses, never other names', async () => {
    const server = await startServer(kind, { dev: true, devAllowedHosts: 'loopback-or-ip' });
    try {
      const { port } = new URL(server.url);
      for (const host of [`192.168.1.20:${port}`, `10.0.0.5`, `[fd00::5]:${port}`, 'localhost']) {
        expect(
          (await requestWithHost(server.url, '/v1/dev/token', host, DEV_TOKEN)).status,
          host,
        ).toBe(200);
      }
      expect(
        (await requestWithHost(server.url, '/v1/dev/token', 'attacker.example', DEV_TOKEN)).status,
      ).toBe(403);
    } finally {
      await server.stop();
    }
  });
});

describe('outside dev mode', () => {
  it('answers any Host, as a server behind a proxy must', async () => {
    const server = await startServer(kind);
    try {
      expect((await requestWithHost(server.url, '/healthz', 'sync.example.com')).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});

describe('loopback names and addresses', () => {
  it('are told apart from the rest', () => {
    for (const name of [
      'localhost',
      'a.b.localhost',
      '127.0.0.1',
      '127.255.255.254',
      '::1',
      '[::1]',
      '0:0:0:0:0:0:0:1',
    ])
      expect(isLoopbackHostname(name), name).toBe(true);
    for (const name of [
      '0.0.0.0',
      '::',
      '192.168.1.2',
      'example.com',
      'localhost.example.com',
      '128.0.0.1',
    ])
      expect(isLoopbackHostname(name), name).toBe(false);
    // Spellings a browser normalises to loopback are loopback here too.
    expect(isAllowedDevHost('127.1:8787', 'loopback')).toBe(true);
    expect(isAllowedDevHost('0x7f000001', 'loopback')).toBe(true);
    expect(isAllowedDevHost('localhost.', 'loopback')).toBe(true);
    expect(isAllowedDevHost('[::ffff:127.0.0.1]:80', 'loopback')).toBe(true);
  });
});
