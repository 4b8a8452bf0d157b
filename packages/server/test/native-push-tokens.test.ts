/**
 * The credentials each push service needs, on a simulated clock: FCM's OAuth2 access token
 * is got once, kept while it is valid and replaced shortly before it expires (or at once
 * when FCM says it no longer works); APNs' provider token is signed once, kept for 40
 * minutes — within Apple's 20 to 60 — and signed again after. Both against the stand-ins,
 * which verify every signature.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApnsProvider, PROVIDER_TOKEN_REFRESH_MS } from '../src/native-push/apns.ts';
import { classify, createFcmProvider } from '../src/native-push/fcm.ts';
import { createH2Client, type H2Client } from '../src/native-push/h2.ts';
import type { PushDeviceRow } from '../src/storage/push-devices.ts';
import {
  type ApnsService,
  apnsToken,
  createTestApnsKey,
  createTestServiceAccount,
  type FcmService,
  fcmToken,
  startApnsService,
  startFcmService,
  TEST_NATIVE_PUSH_CA,
} from './support/native-push-services.ts';

const MINUTE = 60_000;

describe('native push credentials', () => {
  const key = createTestApnsKey();
  let fcm: FcmService;
  let apns: ApnsService;
  let http: H2Client;
  // A simulated clock: the provider's `now`, moved by the test.
  let clock = Date.now();
  const now = () => clock;
  beforeAll(async () => {
    [fcm, apns] = await Promise.all([startFcmService(), startApnsService(key)]);
    http = createH2Client({ timeoutMs: 5000, ca: TEST_NATIVE_PUSH_CA });
  });
  afterAll(async () => {
    http?.close();
    await Promise.all([fcm?.close(), apns?.close()]);
  });

  const fcmDevice = (label: string): PushDeviceRow => ({
    platform: 'fcm',
    token: fcmToken(label),
    environment: undefined,
    userId: 'u',
  });
  const fcmProvider = (serviceAccount = fcm.serviceAccount) =>
    createFcmProvider({
      settings: { serviceAccount, endpoint: fcm.origin, ttlSeconds: 60 },
      http,
      now,
    });

  it('gets one FCM access token for concurrent sends, keeps it, and replaces it five minutes before it expires', async () => {
    clock = Date.now();
    const provider = await fcmProvider();
    const before = fcm.assertions.length;
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, n) => provider.send(fcmDevice(`c${n}`), 1)),
    );
    expect(outcomes).toEqual(new Array(20).fill({ result: 'sent' }));
    expect(fcm.assertions.length - before).toBe(1);

    clock += 54 * MINUTE;
    expect(await provider.send(fcmDevice('later'), 2)).toEqual({ result: 'sent' });
    expect(fcm.assertions.length - before).toBe(1);
    clock += 2 * MINUTE;
    expect(await provider.send(fcmDevice('ahead'), 3)).toEqual({ result: 'sent' });
    expect(fcm.assertions.length - before).toBe(2);
    // The assertion is signed at the provider's time, for an hour at most.
    const { claims, header } = fcm.assertions.at(-1)!;
    expect(claims.iat).toBe(Math.floor(clock / 1000));
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(header).toMatchObject({ alg: 'RS256', kid: fcm.serviceAccount.private_key_id });
    expect(fcm.refused).toEqual([]);
  });

  it('gets a new access token at once when FCM refuses the one it has', async () => {
    clock = Date.now();
    const provider = await fcmProvider();
    expect(await provider.send(fcmDevice('first'), 1)).toEqual({ result: 'sent' });
    const before = fcm.assertions.length;
    fcm.revokeAccessTokens();
    expect(await provider.send(fcmDevice('revoked'), 2)).toEqual({ result: 'sent' });
    expect(fcm.assertions.length - before).toBe(1);
  });

  it('fails a send, naming the token URI, when the service account’s key is not the one Google has', async () => {
    clock = Date.now();
    const stranger = createTestServiceAccount(fcm.serviceAccount.token_uri!).serviceAccount;
    const provider = await fcmProvider({
      ...stranger,
      client_email: fcm.serviceAccount.client_email,
    });
    await expect(provider.send(fcmDevice('x'), 1)).rejects.toThrow(
      /token URI .* answered 400 \(invalid_grant: Invalid JWT\)/,
    );
    expect(fcm.refused.at(-1)).toMatch(/^assertion: /);
  });

  it('signs one APNs provider token for concurrent sends, keeps it 40 minutes and signs a new one after', async () => {
    clock = Date.now();
    const provider = await createApnsProvider({
      settings: {
        ...key,
        defaultEnvironment: 'production',
        endpoints: { production: apns.origin, sandbox: apns.origin },
        ttlSeconds: 60,
      },
      http,
      now,
    });
    const device = (): PushDeviceRow => ({
      platform: 'apns',
      token: apnsToken(),
      environment: undefined,
      userId: 'u',
    });
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => provider.send(device(), 1)),
    );
    expect(outcomes).toEqual(new Array(20).fill({ result: 'sent' }));
    const issuedAt = () => new Set(apns.received.map((m) => m.claims.iat));
    expect(issuedAt()).toEqual(new Set([Math.floor(clock / 1000)]));

    const first = Math.floor(clock / 1000);
    clock += PROVIDER_TOKEN_REFRESH_MS - 1000;
    await provider.send(device(), 2);
    expect(issuedAt()).toEqual(new Set([first]));
    clock += 1000;
    await provider.send(device(), 3);
    expect(issuedAt()).toEqual(new Set([first, Math.floor(clock / 1000)]));
    expect(PROVIDER_TOKEN_REFRESH_MS).toBeGreaterThanOrEqual(20 * MINUTE);
    expect(PROVIDER_TOKEN_REFRESH_MS).toBeLessThan(60 * MINUTE);
    expect(apns.refused).toEqual([]);
  });

  it('reads FCM errors as the v1 API sends them: gone only when the token is', () => {
    const error = (status: number, body: unknown) => classify(status, JSON.stringify(body));
    const fcmError = (errorCode: string) => ({
      '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError',
      errorCode,
    });
    expect(
      error(404, { error: { status: 'NOT_FOUND', details: [fcmError('UNREGISTERED')] } }).result,
    ).toBe('gone');
    expect(
      error(400, {
        error: {
          status: 'INVALID_ARGUMENT',
          message: 'Request contains an invalid argument.',
          details: [
            fcmError('INVALID_ARGUMENT'),
            {
              '@type': 'type.googleapis.com/google.rpc.BadRequest',
              fieldViolations: [
                { field: 'message.token', description: 'Invalid registration token' },
              ],
            },
          ],
        },
      }).result,
    ).toBe('gone');
    // An invalid argument that is not the token (a payload too large) says nothing about it.
    expect(
      error(400, {
        error: { status: 'INVALID_ARGUMENT', message: 'Request contains an invalid argument.' },
      }),
    ).toMatchObject({ result: 'failed', status: 400 });
    // A project the service account does not belong to is the server's mistake, not the token's.
    expect(
      error(403, {
        error: { status: 'PERMISSION_DENIED', details: [fcmError('SENDER_ID_MISMATCH')] },
      }),
    ).toMatchObject({ result: 'failed', reason: expect.stringMatching(/SENDER_ID_MISMATCH/) });
    expect(error(404, { error: { status: 'NOT_FOUND' } }).result).toBe('failed');
    expect(classify(502, '<html>Bad gateway</html>')).toMatchObject({
      result: 'failed',
      status: 502,
    });
  });
});
