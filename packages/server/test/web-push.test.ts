/** Web Push end to end against a stand-in push service: VAPID signature, RFC 8291 payload, throttle, 404/410, isolation. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPushTransport } from '../src/web-push/transport.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import {
  createSubscriber,
  decryptPayload,
  type PushService,
  startPushService,
  TEST_PUSH_CA,
  verifyVapid,
} from './support/push-service.ts';
import { type RunningServer, startServer } from './support/server.ts';

describe.each(DATABASE_KINDS)('web push on $name', (kind) => {
  let service: PushService;
  let server: RunningServer;
  let vapidKey: string;
  const window = 800;
  beforeAll(async () => {
    service = await startPushService();
    server = await startServer(kind, {
      // The stand-in listens on this machine, so private addresses are allowed here.
      webPush: withPushTransport(
        {
          subject: 'mailto:ops@example.com',
          minIntervalMs: window,
          allowEndpoint: (url) => url.origin === service.origin,
          allowPrivateAddresses: true,
        },
        { ca: TEST_PUSH_CA },
      ),
    });
    vapidKey = (await (await fetch(`${server.url}/v1/push/vapid-public-key`)).json()).key;
  });
  afterAll(async () => {
    await server.stop();
    await service.close();
  });

  const subscribe = async (token: string, path: string) => {
    const subscriber = createSubscriber();
    const r = await server.post(
      '/v1/push/subscriptions',
      subscriber.json(`${service.origin}${path}`),
      token,
    );
    expect(r.status).toBe(201);
    return subscriber;
  };
  const write = async (token: string, clientId: string, space: string, id: number) => {
    const r = await server.post(
      '/v1/push',
      {
        clientId,
        mutations: [{ id, space, collection: 'c', key: `k${id}`, op: 'put', value: {} }],
      },
      token,
    );
    return r.body.results[0].version as number;
  };
  const messagesTo = (path: string) => service.received.filter((m) => m.path === path);

  it('sends a signed, encrypted poke to every subscriber who can read the space, at most once per window', async () => {
    const alice = await server.token('alice', ['alice', 'shared']);
    const bob = await server.token('bob', ['bob', 'shared']);
    const dave = await server.token('dave');
    const bobs = await subscribe(bob, '/bob-phone');
    await subscribe(dave, '/dave-phone');

    const version = await write(alice, 'c-alice', 'shared', 1);
    await expect.poll(() => messagesTo('/bob-phone').length, { timeout: 5000 }).toBe(1);
    const [message] = messagesTo('/bob-phone');
    const claims = await verifyVapid(String(message!.headers.authorization), vapidKey);
    expect(claims).toMatchObject({ aud: service.origin, sub: 'mailto:ops@example.com' });
    expect(claims.exp! * 1000 - Date.now()).toBeLessThanOrEqual(24 * 3600 * 1000);
    expect(message!.headers['content-encoding']).toBe('aes128gcm');
    expect(Number(message!.headers.ttl)).toBeGreaterThan(0);
    expect(JSON.parse(decryptPayload(message!.body, bobs))).toEqual({ type: 'poke', version });

    // Within the window a second change sends nothing; after it, one more message. The
    // window is kept by the database's clock, so real time has to pass here.
    await write(alice, 'c-alice', 'shared', 2);
    await new Promise((r) => setTimeout(r, window + 100));
    const third = await write(alice, 'c-alice', 'shared', 3);
    await expect.poll(() => messagesTo('/bob-phone').length, { timeout: 5000 }).toBe(2);
    expect(JSON.parse(decryptPayload(messagesTo('/bob-phone')[1]!.body, bobs))).toEqual({
      type: 'poke',
      version: third,
    });
    // Dave cannot read "shared": nothing was sent to him.
    expect(messagesTo('/dave-phone')).toHaveLength(0);
  });

  it('gathers commits that follow each other closely into one message carrying the newest version', async () => {
    const frank = await server.token('frank');
    const franks = await subscribe(frank, '/frank-phone');
    const versions: number[] = [];
    for (let id = 1; id <= 3; id++) versions.push(await write(frank, 'c-frank', 'frank', id));
    await expect.poll(() => messagesTo('/frank-phone').length, { timeout: 5000 }).toBe(1);
    // Without gathering, the first commit's claim would send its own version at once.
    expect(JSON.parse(decryptPayload(messagesTo('/frank-phone')[0]!.body, franks))).toEqual({
      type: 'poke',
      version: versions[2],
    });
  });

  it('forgets a subscription the push service says is gone (404 or 410)', async () => {
    const erin = await server.token('erin');
    for (const [path, status] of [
      ['/gone-410', 410],
      ['/gone-404', 404],
    ] as const) {
      service.statusFor.set(path, status);
      await subscribe(erin, path);
    }
    await write(erin, 'c-erin', 'erin', 1);
    await expect
      .poll(
        async () =>
          (
            await server.database.query(
              "SELECT endpoint FROM ferry_push_subscriptions WHERE user_id = 'erin'",
            )
          ).length,
        { timeout: 5000 },
      )
      .toBe(0);
    expect(messagesTo('/gone-410')).toHaveLength(1);
  });

  it('refuses malformed subscriptions and endpoints it does not accept, and deletes only the user’s own', async () => {
    const fay = await server.token('fay');
    const good = createSubscriber().json(`${service.origin}/fay`);
    const bad = [
      { ...good, endpoint: 'https://elsewhere.example/push' },
      { ...good, endpoint: 'not a url' },
      { ...good, keys: { ...good.keys, p256dh: 'short' } },
      { ...good, keys: { ...good.keys, auth: undefined } },
      { endpoint: good.endpoint },
    ];
    for (const body of bad) {
      const r = await server.post('/v1/push/subscriptions', body, fay);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('invalid_request');
    }
    expect((await server.post('/v1/push/subscriptions', good, undefined)).status).toBe(401);
    expect((await server.post('/v1/push/subscriptions', good, fay)).status).toBe(201);
    const del = (token: string) =>
      fetch(`${server.url}/v1/push/subscriptions`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ endpoint: good.endpoint }),
      });
    expect((await del(await server.token('mallory'))).status).toBe(204);
    const count = async () =>
      (
        await server.database.query('SELECT 1 FROM ferry_push_subscriptions WHERE endpoint = $1', [
          good.endpoint,
        ])
      ).length;
    expect(await count()).toBe(1);
    expect((await del(fay)).status).toBe(204);
    expect(await count()).toBe(0);
  });
});
