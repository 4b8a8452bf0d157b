/**
 * What one user's devices can cost the server, and what one broken device can cost the
 * others: at most `maxDevicesPerUser` devices per user (10 by default), however fast they
 * register; a device whose push service fails or hangs holds up no other device, and a
 * hang ends at the timeout; options that cannot work are refused at setup.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFerryServer, createLogger, type NativePushOptions } from '../src/index.ts';
import { withNativePushTransport } from '../src/native-push/options.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import {
  type ApnsService,
  apnsToken,
  createTestApnsKey,
  type FcmService,
  fcmToken,
  nativePushResults,
  startApnsService,
  startFcmService,
  TEST_NATIVE_PUSH_CA,
} from './support/native-push-services.ts';
import { type RunningServer, startServer, TEST_SECRET } from './support/server.ts';

describe.each(DATABASE_KINDS)('native push limits on $name', (kind) => {
  const key = createTestApnsKey();
  let fcm: FcmService;
  let apns: ApnsService;
  beforeAll(async () => {
    [fcm, apns] = await Promise.all([startFcmService(), startApnsService(key)]);
  });
  afterAll(async () => {
    await Promise.all([fcm?.close(), apns?.close()]);
  });

  const options = (more: Partial<NativePushOptions> = {}, timeoutMs?: number) =>
    withNativePushTransport(
      {
        fcm: { serviceAccount: fcm.serviceAccount, endpoint: fcm.origin },
        apns: {
          keyId: key.keyId,
          teamId: key.teamId,
          privateKey: key.privateKey,
          bundleId: key.bundleId,
          endpoint: apns.origin,
        },
        ...more,
      },
      { ca: TEST_NATIVE_PUSH_CA, ...(timeoutMs === undefined ? {} : { timeoutMs }) },
    );
  const start = (more?: Partial<NativePushOptions>, timeoutMs?: number) =>
    startServer(kind, { nativePush: options(more, timeoutMs) });
  const register = (server: RunningServer, token: string, device: Record<string, unknown>) =>
    server.post('/v1/devices', device, token);
  const devicesOf = async (server: RunningServer, userId: string) =>
    (
      await server.database.query<{ token: string }>(
        'SELECT token FROM ferry_push_devices WHERE user_id = $1 ORDER BY token',
        [userId],
      )
    ).map((r) => r.token);
  const write = async (server: RunningServer, token: string, clientId: string, space: string) => {
    const r = await server.post(
      '/v1/push',
      { clientId, mutations: [{ id: 1, space, collection: 'c', key: 'k', op: 'put', value: {} }] },
      token,
    );
    expect(r.status).toBe(200);
  };
  /** Stores devices as the routes would, in one statement (the routes are tested elsewhere). */
  const storeDevices = async (
    server: RunningServer,
    userId: string,
    spaces: string[],
    devices: { platform: 'fcm' | 'apns'; token: string }[],
  ) => {
    await server.database.query(
      `INSERT INTO ferry_push_devices (platform, token, user_id, spaces)
       SELECT platform, token, $3, $4 FROM unnest($1::text[], $2::text[]) AS d(platform, token)`,
      [devices.map((d) => d.platform), devices.map((d) => d.token), userId, spaces],
    );
  };

  it('keeps the most recently registered devices of each user, of either platform, dropping the oldest beyond the cap', async () => {
    const server = await start({ maxDevicesPerUser: 3 });
    try {
      const amy = await server.token('amy');
      const ben = await server.token('ben');
      const bens = fcmToken('ben');
      expect((await register(server, ben, { platform: 'fcm', token: bens })).status).toBe(201);
      const amys = [fcmToken('a1'), apnsToken(), fcmToken('a3'), apnsToken(), fcmToken('a5')];
      for (const [n, token] of amys.entries()) {
        const platform = n % 2 === 0 ? 'fcm' : 'apns';
        expect((await register(server, amy, { platform, token })).status).toBe(201);
      }
      expect(await devicesOf(server, 'amy')).toEqual([amys[2], amys[3], amys[4]].sort());
      // Registering again (as an app does at every launch) makes a device the most recent.
      expect((await register(server, amy, { platform: 'fcm', token: amys[2] })).status).toBe(201);
      const sixth = apnsToken();
      expect((await register(server, amy, { platform: 'apns', token: sixth })).status).toBe(201);
      expect(await devicesOf(server, 'amy')).toEqual([amys[2], amys[4], sixth].sort());
      // Another user's devices are not touched.
      expect(await devicesOf(server, 'ben')).toEqual([bens]);
    } finally {
      await server.stop();
    }
  });

  it('holds a burst of concurrent registrations to the default cap of 10, and one commit to 10 messages', async () => {
    const server = await start();
    const cara = await server.token('cara');
    const tokens = Array.from({ length: 60 }, (_, n) => fcmToken(`cara${n}`));
    const statuses = await Promise.all(
      tokens.map((token) => register(server, cara, { platform: 'fcm', token })),
    );
    expect(statuses.map((r) => r.status)).toEqual(new Array(60).fill(201));
    const kept = await devicesOf(server, 'cara');
    expect(kept).toHaveLength(10);

    await write(server, cara, 'c-cara', 'cara');
    await expect
      .poll(async () => (await nativePushResults(server.url))['fcm:sent'], { timeout: 10_000 })
      .toBe(10);
    // Stopping waits for every message in flight.
    await server.stop();
    expect(
      fcm.received
        .filter((m) => tokens.includes(m.token))
        .map((m) => m.token)
        .sort(),
    ).toEqual(kept);
  });

  it('delivers to 1,000 devices while one FCM and one APNs device hang and two others fail', async () => {
    // The hanging two must still hang when the rest are delivered, however busy the
    // machine: their timeout is far beyond the time the 1,000 may take.
    const server = await start({ maxDevicesPerUser: 2000 }, 120_000);
    try {
      const owner = await server.token('olga', ['olga', 'team']);
      const good = Array.from({ length: 1000 }, (_, n) =>
        n % 2 === 0
          ? { platform: 'fcm' as const, token: fcmToken(`team${n}`) }
          : { platform: 'apns' as const, token: apnsToken() },
      );
      const fcmHang = fcmToken('hang');
      const fcmFails = fcmToken('fails');
      const apnsHang = apnsToken();
      const apnsFails = apnsToken();
      fcm.behaviour.set(fcmHang, 'hang');
      fcm.behaviour.set(fcmFails, { status: 500 });
      apns.behaviour.set(apnsHang, 'hang');
      apns.behaviour.set(apnsFails, { status: 500 });
      // The broken devices first, so that they are among the first claimed and sent.
      await storeDevices(
        server,
        'max',
        ['team'],
        [
          { platform: 'fcm', token: fcmHang },
          { platform: 'apns', token: apnsHang },
          { platform: 'fcm', token: fcmFails },
          { platform: 'apns', token: apnsFails },
        ],
      );
      await storeDevices(server, 'max', ['team'], good);
      const wanted = new Set(good.map((d) => d.token));
      const delivered = () =>
        new Set(
          [...fcm.received, ...apns.received].map((m) => m.token).filter((t) => wanted.has(t)),
        ).size;

      await write(server, owner, 'c-olga', 'team');
      await expect.poll(delivered, { timeout: 20_000 }).toBe(1000);
      // Every other device got its message while the two hanging ones are still waiting
      // for an answer: they held up nothing.
      expect(fcm.hanging).toBe(1);
      expect(apns.hanging).toBe(1);
      // A stand-in records a message before it answers, and the server counts it sent once
      // the answer is read: the counts catch up a moment after the last message is seen.
      await expect
        .poll(() => nativePushResults(server.url), { timeout: 15_000 })
        .toMatchObject({
          'fcm:sent': 500,
          'apns:sent': 500,
          'fcm:failed': 1,
          'apns:failed': 1,
        });
    } finally {
      // Released whatever happened, so a failure here leaves no hanging stream to the tests after.
      fcm.release();
      apns.release();
      await server.stop();
    }
  });

  it('cuts off a device whose push service does not answer at the timeout, and counts it failed', async () => {
    // Real timers: the point is a request the other side never answers.
    const server = await start({}, 300);
    try {
      const hal = await server.token('hal');
      const silent = fcmToken('silent');
      const answered = fcmToken('answered');
      fcm.behaviour.set(silent, 'hang');
      for (const token of [silent, answered])
        expect((await register(server, hal, { platform: 'fcm', token })).status).toBe(201);
      await write(server, hal, 'c-hal', 'hal');
      await expect
        .poll(async () => (await nativePushResults(server.url))['fcm:failed'], { timeout: 15_000 })
        .toBe(1);
      expect(fcm.received.filter((m) => m.token === answered)).toHaveLength(1);
      // The stream was cancelled, not left open, and the device is kept for the next window.
      await expect.poll(() => fcm.hanging, { timeout: 15_000 }).toBe(0);
      expect(await devicesOf(server, 'hal')).toHaveLength(2);
    } finally {
      await server.stop();
    }
  });

  it('counts a request the push service resets as failed at once, not at the timeout', async () => {
    const server = await start({}, 60_000);
    try {
      const ivy = await server.token('ivy');
      const reset = apnsToken();
      apns.behaviour.set(reset, 'reset');
      expect((await register(server, ivy, { platform: 'apns', token: reset })).status).toBe(201);
      await write(server, ivy, 'c-ivy', 'ivy');
      // Well before the minute the timeout allows.
      await expect
        .poll(async () => (await nativePushResults(server.url))['apns:failed'], { timeout: 5000 })
        .toBe(1);
    } finally {
      await server.stop();
    }
  });

  it('accepts only the platforms it sends to, and serves no device routes without nativePush', async () => {
    const fcmOnly = await startServer(kind, {
      nativePush: withNativePushTransport(
        { fcm: { serviceAccount: fcm.serviceAccount, endpoint: fcm.origin } },
        { ca: TEST_NATIVE_PUSH_CA },
      ),
    });
    const none = await startServer(kind);
    try {
      const ida = await fcmOnly.token('ida');
      const refused = await register(fcmOnly, ida, { platform: 'apns', token: apnsToken() });
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toMatch(/does not send APNs messages/);
      const absent = await register(none, await none.token('ida'), {
        platform: 'fcm',
        token: fcmToken('ida'),
      });
      expect(absent.status).toBe(404);
    } finally {
      await fcmOnly.stop();
      await none.stop();
    }
  });

  it('refuses options that cannot work at setup, naming the option and never quoting a key', async () => {
    const { database, dispose } = await kind.create();
    try {
      const account = fcm.serviceAccount;
      const apnsOptions = {
        keyId: key.keyId,
        teamId: key.teamId,
        privateKey: key.privateKey,
        bundleId: key.bundleId,
      };
      const cases: [NativePushOptions, string][] = [
        [{}, 'nativePush'],
        [
          { fcm: { serviceAccount: account }, maxDevicesPerUser: 0 },
          'nativePush.maxDevicesPerUser',
        ],
        [{ fcm: { serviceAccount: account }, minIntervalMs: -1 }, 'nativePush.minIntervalMs'],
        [{ fcm: { serviceAccount: account }, ttlSeconds: 1e9 }, 'nativePush.ttlSeconds'],
        [{ fcm: { serviceAccount: 'not json' } }, 'nativePush.fcm.serviceAccount'],
        [
          { fcm: { serviceAccount: { ...account, project_id: '' } } },
          'nativePush.fcm.serviceAccount',
        ],
        [
          { fcm: { serviceAccount: { ...account, private_key: 'x'.repeat(40) } } },
          'nativePush.fcm.serviceAccount.private_key',
        ],
        [
          { fcm: { serviceAccount: { ...account, token_uri: 'http://127.0.0.1/token' } } },
          'nativePush.fcm.serviceAccount.token_uri',
        ],
        [
          { fcm: { serviceAccount: account, endpoint: 'http://fcm.test' } },
          'nativePush.fcm.endpoint',
        ],
        [{ apns: { ...apnsOptions, keyId: 'short' } }, 'nativePush.apns.keyId'],
        [{ apns: { ...apnsOptions, teamId: '' } }, 'nativePush.apns.teamId'],
        [{ apns: { ...apnsOptions, bundleId: 'no spaces allowed' } }, 'nativePush.apns.bundleId'],
        [
          { apns: { ...apnsOptions, privateKey: account.private_key } },
          'nativePush.apns.privateKey',
        ],
        [
          { apns: { ...apnsOptions, sandboxEndpoint: 'api.sandbox.push.apple.com' } },
          'nativePush.apns.sandboxEndpoint',
        ],
      ];
      for (const [nativePush, option] of cases) {
        const setup = createFerryServer({
          database,
          jwtSecret: TEST_SECRET,
          logger: createLogger('silent'),
          nativePush,
        });
        await expect(setup, option).rejects.toMatchObject({ name: 'FerryConfigError', option });
        const message = await setup.catch((error: Error) => error.message);
        expect(message).not.toContain('PRIVATE KEY');
        expect(message).not.toContain('x'.repeat(40));
      }
    } finally {
      await dispose();
    }
  });
});
