/**
 * Native push end to end against stand-ins for FCM and APNs: a commit wakes the devices of
 * every user who can read the changed space with a data message, signed as each service
 * requires; at most once per device per window; tokens the service says are gone are
 * deleted; registrations are checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { type RunningServer, startServer } from './support/server.ts';

describe.each(DATABASE_KINDS)('native push on $name', (kind) => {
  const key = createTestApnsKey();
  let fcm: FcmService;
  let apns: ApnsService;
  let sandbox: ApnsService;
  let server: RunningServer;
  const window = 800;
  beforeAll(async () => {
    [fcm, apns, sandbox] = await Promise.all([
      startFcmService(),
      startApnsService(key),
      startApnsService(key),
    ]);
    server = await startServer(kind, {
      nativePush: withNativePushTransport(
        {
          fcm: { serviceAccount: fcm.serviceAccount, endpoint: fcm.origin },
          apns: {
            keyId: key.keyId,
            teamId: key.teamId,
            privateKey: key.privateKey,
            bundleId: key.bundleId,
            endpoint: apns.origin,
            sandboxEndpoint: sandbox.origin,
          },
          minIntervalMs: window,
        },
        { ca: TEST_NATIVE_PUSH_CA },
      ),
    });
  });
  afterAll(async () => {
    await server?.stop();
    await Promise.all([fcm?.close(), apns?.close(), sandbox?.close()]);
  });

  const register = async (token: string, device: Record<string, unknown>) => {
    const r = await server.post('/v1/devices', device, token);
    expect(r.status).toBe(201);
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
  const toFcm = (token: string) => fcm.received.filter((m) => m.token === token);
  const toApns = (service: ApnsService, token: string) =>
    service.received.filter((m) => m.token === token);
  const devicesOf = async (userId: string) =>
    (
      await server.database.query<{ platform: string; token: string }>(
        'SELECT platform, token FROM ferry_push_devices WHERE user_id = $1 ORDER BY platform, token',
        [userId],
      )
    ).map((r) => `${r.platform}:${r.token}`);

  it('wakes every device of each user who can read the changed space with a data message, on FCM and APNs', async () => {
    const alice = await server.token('alice', ['alice', 'shared']);
    const bob = await server.token('bob', ['bob', 'shared']);
    const dave = await server.token('dave');
    const bobsAndroid = fcmToken('bob');
    const bobsIphone = apnsToken();
    const bobsDevBuild = apnsToken();
    const davesPhone = fcmToken('dave');
    await register(bob, { platform: 'fcm', token: bobsAndroid });
    await register(bob, { platform: 'apns', token: bobsIphone.toUpperCase() });
    await register(bob, { platform: 'apns', token: bobsDevBuild, environment: 'sandbox' });
    await register(dave, { platform: 'fcm', token: davesPhone });

    const version = await write(alice, 'c-alice', 'shared', 1);
    await expect.poll(() => toFcm(bobsAndroid).length, { timeout: 5000 }).toBe(1);
    await expect.poll(() => toApns(apns, bobsIphone).length, { timeout: 5000 }).toBe(1);
    await expect.poll(() => toApns(sandbox, bobsDevBuild).length, { timeout: 5000 }).toBe(1);

    // FCM: a data message only (no notification), high priority on Android, a background
    // push for iOS, from an access token got with a correctly signed assertion.
    const [android] = toFcm(bobsAndroid);
    expect(android!.message).toEqual({
      token: bobsAndroid,
      data: { ferry: 'poke', version: String(version) },
      android: { priority: 'high', ttl: '3600s', collapse_key: 'ferry' },
      apns: {
        headers: {
          'apns-push-type': 'background',
          'apns-priority': '5',
          'apns-expiration': expect.stringMatching(/^\d+$/),
        },
        payload: { aps: { 'content-available': 1 } },
      },
    });
    expect(fcm.refused).toEqual([]);
    expect(fcm.assertions.length).toBeGreaterThanOrEqual(1);
    expect(fcm.assertions[0]!.claims).toMatchObject({
      iss: fcm.serviceAccount.client_email,
      aud: fcm.serviceAccount.token_uri,
      scope: 'https://www.googleapis.com/auth/firebase.messaging',
    });

    // APNs: a background push to the bundle, with the same data beside aps, under a provider
    // token signed with the .p8 key; the development build's token went to the sandbox.
    const [iphone] = toApns(apns, bobsIphone);
    expect(iphone!.headers).toMatchObject({
      'apns-push-type': 'background',
      'apns-priority': '5',
      'apns-topic': key.bundleId,
    });
    expect(Number(iphone!.headers['apns-expiration'])).toBeGreaterThan(Date.now() / 1000);
    expect(iphone!.payload).toEqual({
      aps: { 'content-available': 1 },
      ferry: 'poke',
      version: String(version),
    });
    expect(iphone!.kid).toBe(key.keyId);
    expect(iphone!.claims.iss).toBe(key.teamId);
    expect(apns.refused).toEqual([]);
    expect(sandbox.refused).toEqual([]);
    expect(toApns(apns, bobsDevBuild)).toEqual([]);

    // Dave cannot read "shared": nothing was sent to him.
    expect(toFcm(davesPhone)).toEqual([]);
  });

  it('wakes a device at most once per window, with the newest version', async () => {
    const erin = await server.token('erin');
    const phone = fcmToken('erin');
    const iphone = apnsToken();
    await register(erin, { platform: 'fcm', token: phone });
    await register(erin, { platform: 'apns', token: iphone });

    await write(erin, 'c-erin', 'erin', 1);
    await expect.poll(() => toFcm(phone).length, { timeout: 5000 }).toBe(1);
    await expect.poll(() => toApns(apns, iphone).length, { timeout: 5000 }).toBe(1);
    // Within the window a second change sends nothing; after it, one more message each.
    // The window is kept by the database's clock, so real time has to pass here.
    await write(erin, 'c-erin', 'erin', 2);
    await new Promise((r) => setTimeout(r, window + 100));
    const third = await write(erin, 'c-erin', 'erin', 3);
    await expect.poll(() => toFcm(phone).length, { timeout: 5000 }).toBe(2);
    await expect.poll(() => toApns(apns, iphone).length, { timeout: 5000 }).toBe(2);
    expect(toFcm(phone)[1]!.message.data).toEqual({ ferry: 'poke', version: String(third) });
    expect(toApns(apns, iphone)[1]!.payload.version).toBe(String(third));
  });

  it('deletes the tokens FCM or APNs say are gone, and keeps those that failed otherwise', async () => {
    const fay = await server.token('fay');
    const unregistered = fcmToken('unreg');
    const invalid = fcmToken('invalid');
    const fcmBusy = fcmToken('busy');
    const apnsGone = apnsToken();
    const apnsBad = apnsToken();
    const apnsBusy = apnsToken();
    fcm.behaviour.set(unregistered, 'unregistered');
    fcm.behaviour.set(invalid, 'bad-token');
    fcm.behaviour.set(fcmBusy, {
      status: 500,
      body: { error: { code: 500, status: 'INTERNAL', message: 'Internal error encountered.' } },
    });
    apns.behaviour.set(apnsGone, 'unregistered');
    apns.behaviour.set(apnsBad, 'bad-token');
    apns.behaviour.set(apnsBusy, { status: 500, body: { reason: 'InternalServerError' } });
    for (const token of [unregistered, invalid, fcmBusy])
      await register(fay, { platform: 'fcm', token });
    for (const token of [apnsGone, apnsBad, apnsBusy])
      await register(fay, { platform: 'apns', token });

    const before = await nativePushResults(server.url);
    await write(fay, 'c-fay', 'fay', 1);
    await expect.poll(async () => (await devicesOf('fay')).length, { timeout: 5000 }).toBe(2);
    expect(await devicesOf('fay')).toEqual([`apns:${apnsBusy}`, `fcm:${fcmBusy}`].sort());
    await expect
      .poll(
        async () => {
          const after = await nativePushResults(server.url);
          return ['fcm:gone', 'apns:gone', 'fcm:failed', 'apns:failed'].map(
            (k) => (after[k] ?? 0) - (before[k] ?? 0),
          );
        },
        { timeout: 5000 },
      )
      .toEqual([2, 2, 1, 1]);
  });

  it('refuses malformed registrations, naming the rule, and removes only the user’s own device', async () => {
    const gus = await server.token('gus');
    const good = { platform: 'fcm', token: fcmToken('gus') };
    const bad: [unknown, RegExp][] = [
      [[good], /JSON object/],
      [{ ...good, platform: 'gcm' }, /platform must be "fcm"/],
      [{ platform: 'fcm' }, /token must be a string/],
      [{ ...good, token: 'short' }, /FCM registration token/],
      [{ ...good, token: `${good.token}\n` }, /FCM registration token/],
      [{ ...good, environment: 'sandbox' }, /APNs tokens only/],
      [{ platform: 'apns', token: 'zz'.repeat(32) }, /APNs device token in hex/],
      [{ platform: 'apns', token: 'ab'.repeat(16) }, /APNs device token in hex/],
      [{ platform: 'apns', token: `${apnsToken()}/../x` }, /APNs device token in hex/],
      [{ platform: 'apns', token: apnsToken(), environment: 'staging' }, /"production"/],
    ];
    for (const [body, message] of bad) {
      const r = await server.post('/v1/devices', body, gus);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe('invalid_request');
      expect(r.body.error.message).toMatch(message);
    }
    expect((await server.post('/v1/devices', good, undefined)).status).toBe(401);
    expect(await devicesOf('gus')).toEqual([]);

    await register(gus, good);
    const iphone = apnsToken();
    await register(gus, { platform: 'apns', token: iphone });
    const remove = async (token: string, device: Record<string, unknown>) =>
      (
        await fetch(`${server.url}/v1/devices`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(device),
        })
      ).status;
    // Another user's request removes nothing, and says nothing about whether it existed.
    expect(await remove(await server.token('mallory'), good)).toBe(204);
    expect(await devicesOf('gus')).toHaveLength(2);
    expect(await remove(gus, good)).toBe(204);
    // An APNs token is found whatever the case of its hex digits.
    expect(await remove(gus, { platform: 'apns', token: iphone.toUpperCase() })).toBe(204);
    expect(await devicesOf('gus')).toEqual([]);
  });
});
