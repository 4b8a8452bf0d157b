/**
 * What one user's subscriptions can cost the server and other users: at most
 * `maxSubscriptionsPerUser` of them (10 by default), however fast they subscribe, so one
 * commit makes at most that many requests for them; and a subscription that cannot work
 * is refused when subscribing, and one stored anyway (before these checks existed) is
 * dropped on its own without stopping anyone else's messages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFerryServer } from '../src/index.ts';
import { withPushTransport } from '../src/web-push/transport.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import {
  createSubscriber,
  type PushService,
  startPushService,
  TEST_PUSH_CA,
  webPushResults,
} from './support/push-service.ts';
import { type RunningServer, startServer, TEST_SECRET } from './support/server.ts';

describe.each(DATABASE_KINDS)('web push limits on $name', (kind) => {
  let service: PushService;
  beforeAll(async () => {
    service = await startPushService();
  });
  afterAll(async () => {
    await service.close();
  });

  const start = (maxSubscriptionsPerUser?: number) =>
    startServer(kind, {
      webPush: withPushTransport(
        {
          allowEndpoint: (url) => url.origin === service.origin,
          // The stand-in push service listens on this machine.
          allowPrivateAddresses: true,
          ...(maxSubscriptionsPerUser === undefined ? {} : { maxSubscriptionsPerUser }),
        },
        { ca: TEST_PUSH_CA },
      ),
    });
  const subscribe = (server: RunningServer, token: string, path: string) =>
    server.post(
      '/v1/push/subscriptions',
      createSubscriber().json(`${service.origin}${path}`),
      token,
    );
  const endpointsOf = async (server: RunningServer, userId: string) =>
    (
      await server.database.query<{ endpoint: string }>(
        'SELECT endpoint FROM ferry_push_subscriptions WHERE user_id = $1 ORDER BY endpoint',
        [userId],
      )
    ).map((r) => r.endpoint.slice(service.origin.length));
  const write = async (server: RunningServer, token: string, clientId: string, space: string) => {
    const r = await server.post(
      '/v1/push',
      { clientId, mutations: [{ id: 1, space, collection: 'c', key: 'k', op: 'put', value: {} }] },
      token,
    );
    expect(r.status).toBe(200);
  };
  const received = (prefix: string) => service.received.filter((m) => m.path.startsWith(prefix));

  describe('subscriptions per user', () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await start(3);
    });
    afterAll(async () => {
      await server.stop();
    });

    it('keeps the most recently subscribed, dropping the oldest beyond the cap', async () => {
      const amy = await server.token('amy');
      const ben = await server.token('ben');
      expect((await subscribe(server, ben, '/ben-1')).status).toBe(201);
      for (const n of [1, 2, 3, 4, 5])
        expect((await subscribe(server, amy, `/amy-${n}`)).status).toBe(201);
      expect(await endpointsOf(server, 'amy')).toEqual(['/amy-3', '/amy-4', '/amy-5']);
      // Subscribing again makes an endpoint the most recent one.
      expect((await subscribe(server, amy, '/amy-3')).status).toBe(201);
      expect((await subscribe(server, amy, '/amy-6')).status).toBe(201);
      expect(await endpointsOf(server, 'amy')).toEqual(['/amy-3', '/amy-5', '/amy-6']);
      // Another user's subscriptions are not touched.
      expect(await endpointsOf(server, 'ben')).toEqual(['/ben-1']);
    });
  });

  it('holds a burst of concurrent subscriptions to the default cap of 10, and one commit to 10 messages', async () => {
    const server = await start();
    const cara = await server.token('cara');
    const statuses = await Promise.all(
      Array.from({ length: 60 }, (_, n) => subscribe(server, cara, `/cara-${n}`)),
    );
    expect(statuses.map((r) => r.status)).toEqual(new Array(60).fill(201));
    expect(await endpointsOf(server, 'cara')).toHaveLength(10);

    await write(server, cara, 'c-cara', 'cara');
    await expect
      .poll(async () => (await webPushResults(server.url)).sent, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(10);
    // Stopping waits for every message in flight.
    await server.stop();
    expect(received('/cara-')).toHaveLength(10);
  });

  it('refuses a cap below one, or host names that are not, at setup', async () => {
    const { database, dispose } = await kind.create();
    try {
      for (const [webPush, option] of [
        [{ maxSubscriptionsPerUser: 0 }, 'webPush.maxSubscriptionsPerUser'],
        [{ maxSubscriptionsPerUser: 2.5 }, 'webPush.maxSubscriptionsPerUser'],
        [{ allowEndpoint: ['https://fcm.googleapis.com/'] }, 'webPush.allowEndpoint'],
      ] as const) {
        await expect(
          createFerryServer({ database, jwtSecret: TEST_SECRET, webPush }),
        ).rejects.toMatchObject({ name: 'FerryConfigError', option });
      }
    } finally {
      await dispose();
    }
  });

  it('refuses keys that are not a P-256 point and a 16-byte secret when subscribing', async () => {
    const server = await start();
    try {
      const dan = await server.token('dan');
      const good = createSubscriber().json(`${service.origin}/dan`);
      const point = Buffer.from(good.keys.p256dh, 'base64url');
      const offCurve = Buffer.from(point);
      offCurve[64]! ^= 1;
      const hybrid = Buffer.from(point);
      hybrid[0] = 0x06;
      for (const keys of [
        { ...good.keys, p256dh: offCurve.toString('base64url') },
        { ...good.keys, p256dh: hybrid.toString('base64url') },
        { ...good.keys, p256dh: Buffer.alloc(65).toString('base64url') },
        { ...good.keys, auth: Buffer.alloc(15).toString('base64url') },
      ]) {
        const r = await server.post('/v1/push/subscriptions', { ...good, keys }, dan);
        expect(r.status).toBe(400);
        expect(r.body.error.message).toMatch(/keys\.(p256dh|auth)/);
      }
      expect(await endpointsOf(server, 'dan')).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it('drops a stored subscription whose key is not a P-256 point without stopping the other 40 messages', async () => {
    const server = await start(40);
    try {
      const owner = await server.token('olga', ['olga', 'team']);
      const member = await server.token('max', ['max', 'team']);
      // Stored as an older server, which did not check keys, would have: first, so that
      // they are claimed with the first messages.
      const valid = createSubscriber().json('');
      const offCurve = Buffer.from(valid.keys.p256dh, 'base64url');
      offCurve[64]! ^= 1;
      for (const n of [1, 2, 3]) {
        await server.database.query(
          `INSERT INTO ferry_push_subscriptions (endpoint, user_id, spaces, p256dh, auth)
           VALUES ($1, 'mallory', $2, $3, $4)`,
          [`${service.origin}/bad-${n}`, ['team'], offCurve.toString('base64url'), valid.keys.auth],
        );
      }
      for (let n = 0; n < 40; n++)
        expect((await subscribe(server, member, `/max-${n}`)).status).toBe(201);

      await write(server, owner, 'c-olga', 'team');
      await expect
        .poll(async () => (await webPushResults(server.url)).gone, { timeout: 10_000 })
        .toBe(3);
      // Deleted, not kept as notified.
      expect(
        await server.database.query(
          "SELECT endpoint FROM ferry_push_subscriptions WHERE user_id = 'mallory'",
        ),
      ).toEqual([]);
    } finally {
      // Stopping waits for every message in flight.
      await server.stop();
    }
    const toMax = received('/max-');
    expect(new Set(toMax.map((m) => m.path)).size).toBe(40);
    expect(toMax).toHaveLength(40);
    expect(received('/bad-')).toEqual([]);
  });
});
