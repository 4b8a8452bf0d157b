/**
 * Web Push endpoints cannot make the server call addresses only it can reach (SSRF): an
 * endpoint at a non-public address is refused when subscribing, in every form a URL can
 * spell one; a name that resolves to one is refused when subscribing and again when
 * connecting (DNS rebinding); only the browsers' push services are accepted by default;
 * and a redirect from a push service is never followed. Over real HTTPS, with a resolver
 * the test controls.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebPushOptions } from '../src/index.ts';
import { withPushTransport } from '../src/web-push/transport.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import {
  createSubscriber,
  createTestResolver,
  type PushService,
  startPushService,
  TEST_PUSH_CA,
  type TestResolver,
  webPushResults,
} from './support/push-service.ts';
import { type RunningServer, startServer } from './support/server.ts';

const kind = DATABASE_KINDS.find((k) => k.name === 'pglite')!;
/** An address on the public internet that nothing in these tests ever connects to. */
const PUBLIC = '142.250.185.106';

describe('web push endpoints and addresses', () => {
  let service: PushService;
  let internal: Server;
  const internalHits: string[] = [];
  let resolver: TestResolver;
  const servers: RunningServer[] = [];
  const start = async (webPush: WebPushOptions) => {
    const server = await startServer(kind, {
      webPush: withPushTransport(webPush, { resolveHost: resolver.resolveHost, ca: TEST_PUSH_CA }),
    });
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    service = await startPushService();
    resolver = createTestResolver();
    // A plain-http service inside the network: what an attacker would like the server to reach.
    internal = createServer((req, res) => {
      internalHits.push(req.url ?? '');
      res.end('secret');
    });
    await new Promise<void>((r) => internal.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await service.close();
    await new Promise((r) => internal.close(r));
  });

  const subscribe = (server: RunningServer, token: string, endpoint: string) =>
    server.post('/v1/push/subscriptions', createSubscriber().json(endpoint), token);
  const write = async (server: RunningServer, token: string, space: string) => {
    const r = await server.post(
      '/v1/push',
      {
        clientId: `c-${space}`,
        mutations: [{ id: 1, space, collection: 'c', key: 'k', op: 'put', value: {} }],
      },
      token,
    );
    expect(r.status).toBe(200);
  };
  const stored = async (server: RunningServer) =>
    (
      await server.database.query<{ endpoint: string }>(
        'SELECT endpoint FROM ferry_push_subscriptions',
      )
    ).map((r) => r.endpoint);

  it('refuses, when subscribing, endpoints at private, loopback, link-local or otherwise non-public addresses in any form', async () => {
    const server = await start({ allowEndpoint: () => true });
    const token = await server.token('mallory');
    const endpoints = [
      'https://127.0.0.1/push',
      'https://127.0.0.1:8443/push',
      'https://[::1]/push',
      'https://10.0.0.1/push',
      'https://172.16.5.4/push',
      'https://192.168.0.1/push',
      'https://169.254.169.254/latest/meta-data/',
      'https://100.64.0.1/push',
      'https://0.0.0.0/push',
      'https://224.0.0.1/push',
      'https://0x7f000001/push',
      'https://2130706433/push',
      'https://0177.0.0.1/push',
      'https://127.1/push',
      'https://[::ffff:127.0.0.1]/push',
      'https://[::ffff:a9fe:a9fe]/push',
      'https://[fe80::1]/push',
      'https://[fd00::1]/push',
      'https://[ff02::1]/push',
      'https://[::]/push',
    ];
    for (const endpoint of endpoints) {
      const r = await subscribe(server, token, endpoint);
      expect([endpoint, r.status, r.body.error?.code]).toEqual([endpoint, 400, 'invalid_request']);
      expect(r.body.error.message).toMatch(/not a public address/);
    }
    // Names are resolved, and every address they have must be public.
    resolver.answers.set('internal.push.test', ['10.1.2.3']);
    resolver.answers.set('mixed.push.test', [PUBLIC, '127.0.0.1']);
    resolver.answers.set('metadata.push.test', ['::ffff:169.254.169.254']);
    resolver.answers.set('localhost', ['127.0.0.1', '::1']);
    for (const host of [
      'internal.push.test',
      'mixed.push.test',
      'metadata.push.test',
      'localhost',
    ]) {
      const r = await subscribe(server, token, `https://${host}/push`);
      expect([host, r.status, r.body.error?.message]).toEqual([
        host,
        400,
        expect.stringMatching(/resolves to .*not a public address/),
      ]);
    }
    const unknown = await subscribe(server, token, 'https://nowhere.push.test/push');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/does not resolve/);
    // Not https, or with credentials in it.
    for (const endpoint of [
      'http://fcm.googleapis.com/fcm/send/x',
      'https://u:p@fcm.googleapis.com/x',
    ])
      expect((await subscribe(server, token, endpoint)).status).toBe(400);
    expect(await stored(server)).toEqual([]);

    // A public name is accepted: the refusals above are the addresses, not the form.
    resolver.answers.set('public.push.test', [PUBLIC]);
    expect((await subscribe(server, token, 'https://public.push.test/push')).status).toBe(201);
  });

  it('accepts only the browsers’ push services unless allowEndpoint says otherwise', async () => {
    const server = await start({});
    const token = await server.token('peggy');
    resolver.answers.set('fcm.googleapis.com', [PUBLIC]);
    resolver.answers.set('updates.push.services.mozilla.com', [PUBLIC]);
    resolver.answers.set('push.evil.example', [PUBLIC]);
    for (const endpoint of [
      'https://fcm.googleapis.com/fcm/send/abc',
      'https://updates.push.services.mozilla.com/wpush/v2/abc',
    ])
      expect((await subscribe(server, token, endpoint)).status).toBe(201);
    const refused = await subscribe(server, token, 'https://push.evil.example/abc');
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/not an accepted push service/);

    const listed = await start({ allowEndpoint: ['push.evil.example'] });
    const token2 = await listed.token('peggy');
    expect((await subscribe(listed, token2, 'https://push.evil.example/abc')).status).toBe(201);
    expect((await subscribe(listed, token2, 'https://fcm.googleapis.com/fcm/send/x')).status).toBe(
      400,
    );
  });

  it('refuses when connecting a name that has come to resolve to a loopback address (DNS rebinding)', async () => {
    const host = 'rebind.push.test';
    const endpoint = `https://${host}:${service.port}/rebound`;
    const allowEndpoint = (url: URL) => url.hostname === host;
    const server = await start({ allowEndpoint });
    const token = await server.token('rita');
    resolver.answers.set(host, [PUBLIC]);
    expect((await subscribe(server, token, endpoint)).status).toBe(201);
    // After subscribing, the name answers with this machine.
    resolver.answers.set(host, ['127.0.0.1']);
    await write(server, token, 'rita');
    await expect
      .poll(async () => (await webPushResults(server.url)).refused, { timeout: 5000 })
      .toBe(1);
    expect(resolver.asked.filter((h) => h === host)).toHaveLength(2);
    expect(service.received.filter((m) => m.path === '/rebound')).toEqual([]);
    expect(await stored(server)).toContain(endpoint);

    // The same endpoint with private addresses allowed reaches the stand-in through the
    // same resolver: the refusal above is the address check, not a connection that failed.
    const open = await start({ allowEndpoint, allowPrivateAddresses: true });
    const token2 = await open.token('rita');
    expect((await subscribe(open, token2, endpoint)).status).toBe(201);
    await write(open, token2, 'rita');
    await expect
      .poll(() => service.received.filter((m) => m.path === '/rebound').length, {
        timeout: 5000,
      })
      .toBe(1);
    expect(service.received.find((m) => m.path === '/rebound')?.host).toBe(
      `${host}:${service.port}`,
    );
  });

  it('deletes without contacting it a subscription stored before these checks at a loopback address', async () => {
    const server = await start({ allowEndpoint: () => true });
    const token = await server.token('otto');
    const valid = createSubscriber().json(`${service.origin}/stored-before`);
    // As an older server, which checked nothing but https, stored it.
    await server.database.query(
      `INSERT INTO ferry_push_subscriptions (endpoint, user_id, spaces, p256dh, auth)
       VALUES ($1, 'otto', $2, $3, $4)`,
      [valid.endpoint, ['otto'], valid.keys.p256dh, valid.keys.auth],
    );
    await write(server, token, 'otto');
    await expect
      .poll(async () => (await webPushResults(server.url)).gone, { timeout: 5000 })
      .toBe(1);
    expect(await stored(server)).not.toContain(valid.endpoint);
    expect(service.received.filter((m) => m.path === '/stored-before')).toEqual([]);
  });

  it('never follows a redirect from a push service', async () => {
    const internalUrl = `http://127.0.0.1:${(internal.address() as AddressInfo).port}/admin`;
    service.redirectFor.set('/to-internal', internalUrl);
    service.redirectFor.set('/to-landing', `${service.origin}/landing`);
    // Private addresses allowed, so that only the redirect rule stands in the way.
    const server = await start({
      allowEndpoint: (url) => url.origin === service.origin,
      allowPrivateAddresses: true,
    });
    const token = await server.token('victor');
    for (const path of ['/to-internal', '/to-landing'])
      expect((await subscribe(server, token, `${service.origin}${path}`)).status).toBe(201);
    await write(server, token, 'victor');
    await expect
      .poll(async () => (await webPushResults(server.url)).failed, { timeout: 5000 })
      .toBe(2);
    expect(service.received.map((m) => m.path)).toEqual(
      expect.arrayContaining(['/to-internal', '/to-landing']),
    );
    expect(service.received.filter((m) => m.path === '/landing')).toEqual([]);
    expect(internalHits).toEqual([]);
  });
});
