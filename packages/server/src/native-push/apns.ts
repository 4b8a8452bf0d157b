/**
 * Apple Push Notification service, token-based, over HTTP/2. The provider token is an
 * ES256 JWT (`kid` the key id, `iss` the team id, `iat`) signed with the .p8 key, made
 * again every 40 minutes: APNs refuses a token older than an hour and one replaced more
 * often than every 20 minutes. Each device is `POST /3/device/{token}` with
 * `apns-push-type: background`, `apns-priority: 5` and `apns-topic: <bundle id>`, and the
 * body `{"aps":{"content-available":1},"ferry":"poke","version":"<n>"}`, to
 * api.push.apple.com, or api.sandbox.push.apple.com for a development build's token, on
 * one HTTP/2 connection per host.
 *
 * A token APNs says is no longer valid (410) or not a device token (400 `BadDeviceToken`)
 * is gone.
 */
import { importPKCS8, SignJWT } from 'jose';
import { FerryConfigError } from '../errors.ts';
import type { ApnsEnvironment } from '../storage/push-devices.ts';
import type { H2Client } from './h2.ts';
import { type DeliveryOutcome, jsonBody, type NativePushProvider, wakeUpData } from './provider.ts';

export const APNS_ENDPOINTS: Readonly<Record<ApnsEnvironment, string>> = Object.freeze({
  production: 'https://api.push.apple.com',
  sandbox: 'https://api.sandbox.push.apple.com',
});

/** A provider token is made again after this long (APNs: between 20 and 60 minutes). */
export const PROVIDER_TOKEN_REFRESH_MS = 40 * 60_000;
/** APNs answers 429 TooManyProviderTokenUpdates to tokens replaced more often than this. */
const PROVIDER_TOKEN_MIN_AGE_MS = 20 * 60_000;

export interface ApnsSettings {
  keyId: string;
  teamId: string;
  /** The .p8 key's text (PKCS#8 PEM, P-256). */
  privateKey: string;
  bundleId: string;
  /** Where a device that did not say sends: production unless `production: false`. */
  defaultEnvironment: ApnsEnvironment;
  /** Origins per environment; Apple's unless overridden (tests). */
  endpoints: Record<ApnsEnvironment, string>;
  ttlSeconds: number;
}

export async function createApnsProvider(options: {
  settings: ApnsSettings;
  http: H2Client;
  now: () => number;
}): Promise<NativePushProvider> {
  const { settings, http, now } = options;
  let key: CryptoKey;
  try {
    key = await importPKCS8(settings.privateKey, 'ES256');
  } catch (error) {
    throw new FerryConfigError(
      'nativePush.apns.privateKey',
      'nativePush.apns.privateKey is not a P-256 private key in PEM: give the contents of the AuthKey_<key id>.p8 file Apple issued.',
      { cause: error },
    );
  }
  const origins = {
    production: new URL(settings.endpoints.production),
    sandbox: new URL(settings.endpoints.sandbox),
  };

  let current: { jwt: string; madeAtMs: number } | undefined;
  let making: Promise<string> | undefined;

  function providerToken(): Promise<string> {
    if (current && now() - current.madeAtMs < PROVIDER_TOKEN_REFRESH_MS)
      return Promise.resolve(current.jwt);
    // One token for every request waiting on it, not one each.
    making ??= (async () => {
      const madeAtMs = now();
      const jwt = await new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: settings.keyId })
        .setIssuer(settings.teamId)
        .setIssuedAt(Math.floor(madeAtMs / 1000))
        .sign(key);
      current = { jwt, madeAtMs };
      return jwt;
    })().finally(() => {
      making = undefined;
    });
    return making;
  }

  return {
    async send(device, version): Promise<DeliveryOutcome> {
      const environment = device.environment ?? settings.defaultEnvironment;
      const url = new URL(`/3/device/${device.token}`, origins[environment]);
      const response = await http.request(url, {
        method: 'POST',
        headers: {
          authorization: `bearer ${await providerToken()}`,
          'apns-push-type': 'background',
          'apns-priority': '5',
          'apns-topic': settings.bundleId,
          'apns-expiration': String(Math.floor(now() / 1000) + settings.ttlSeconds),
          'content-type': 'application/json',
        },
        body: JSON.stringify({ aps: { 'content-available': 1 }, ...wakeUpData(version) }),
      });
      if (response.status === 200) return { result: 'sent' };
      const reason = (jsonBody(response.body) as { reason?: unknown } | undefined)?.reason;
      const text = typeof reason === 'string' ? reason : `HTTP ${response.status}`;
      if (response.status === 410) return { result: 'gone', reason: `APNs answered 410 ${text}` };
      if (response.status === 400 && (reason === 'BadDeviceToken' || reason === 'Unregistered'))
        return { result: 'gone', reason: `APNs answered 400 ${text} (${environment})` };
      if (
        response.status === 403 &&
        reason === 'ExpiredProviderToken' &&
        current &&
        now() - current.madeAtMs >= PROVIDER_TOKEN_MIN_AGE_MS
      )
        current = undefined;
      return {
        result: 'failed',
        status: response.status,
        reason: `APNs answered ${response.status} ${text}`,
      };
    },
  };
}
