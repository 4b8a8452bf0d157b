/**
 * The device routes: a phone app registers its native push token (FCM registration token
 * or APNs device token) for the signed-in user, and removes it at sign-out. The token is
 * checked for its platform's shape — an APNs token is hex, since it becomes part of the
 * request path — and each user keeps at most `maxDevicesPerUser`, the least recently
 * registered making way for a new one. The server sends only to Google's and Apple's hosts,
 * whatever a token says.
 */
import { type DeviceRegistration, FerryError, ROUTES } from '@ferry/protocol';
import type { Hono } from 'hono';
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/driver.ts';
import { readJsonBody } from '../http/body.ts';
import type { AppEnv } from '../http/node-env.ts';
import { jsonResponse } from '../http/responses.ts';
import {
  type ApnsEnvironment,
  deleteDevice,
  type NativePushPlatform,
  saveDevice,
} from '../storage/push-devices.ts';

/** What the routes need from the resolved `nativePush` options. */
export interface NativePushRouteOptions {
  platforms: readonly NativePushPlatform[];
  maxDevicesPerUser: number;
}

export interface NativePushRouteContext extends NativePushRouteOptions {
  database: Database;
  maxBodyBytes: number;
  authenticate: (request: Request) => Promise<Principal>;
}

/** An FCM registration token: letters, digits, `_`, `-`, `:` and `.` (about 160 today). */
const FCM_TOKEN = /^[A-Za-z0-9_:.-]{32,4096}$/;
/** An APNs device token: 32 bytes today, up to 100 as Apple allows, in hex. */
const APNS_TOKEN = /^(?:[0-9A-Fa-f]{2}){32,100}$/;
const PLATFORMS: readonly NativePushPlatform[] = ['fcm', 'apns'];
const ENVIRONMENTS: readonly ApnsEnvironment[] = ['production', 'sandbox'];

function invalid(message: string): FerryError {
  return new FerryError('invalid_request', message);
}

function body(raw: unknown): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw invalid('body: must be a JSON object');
  return raw as Record<string, unknown>;
}

function platformOf(value: unknown, configured: readonly NativePushPlatform[]): NativePushPlatform {
  if (!PLATFORMS.includes(value as NativePushPlatform))
    throw invalid(
      'platform must be "fcm" (an FCM registration token) or "apns" (an APNs device token)',
    );
  const platform = value as NativePushPlatform;
  if (!configured.includes(platform))
    throw invalid(
      `this server does not send ${platform === 'fcm' ? 'FCM' : 'APNs'} messages; it sends ${configured.map((p) => `"${p}"`).join(' and ')}`,
    );
  return platform;
}

/** The token in the form it is stored: an APNs token in lower case, so each is kept once. */
function tokenOf(platform: NativePushPlatform, value: unknown): string {
  if (typeof value !== 'string') throw invalid('token must be a string');
  if (platform === 'apns') {
    if (!APNS_TOKEN.test(value))
      throw invalid(
        'token must be an APNs device token in hex (64 to 200 hex digits), as the app gets it from didRegisterForRemoteNotificationsWithDeviceToken or getDevicePushTokenAsync',
      );
    return value.toLowerCase();
  }
  if (!FCM_TOKEN.test(value))
    throw invalid(
      'token must be an FCM registration token (32 to 4096 letters, digits, "_", "-", ":" or "."), as the app gets it from getToken() or getDevicePushTokenAsync',
    );
  return value;
}

function environmentOf(platform: NativePushPlatform, value: unknown): ApnsEnvironment | undefined {
  if (value === undefined) return undefined;
  if (platform !== 'apns') throw invalid('environment is for APNs tokens only');
  if (!ENVIRONMENTS.includes(value as ApnsEnvironment))
    throw invalid(
      'environment must be "production" (App Store, TestFlight) or "sandbox" (a development build)',
    );
  return value as ApnsEnvironment;
}

/** The registration a body describes, checked. */
export function parseDeviceRegistration(
  raw: unknown,
  configured: readonly NativePushPlatform[],
): DeviceRegistration {
  const b = body(raw);
  const platform = platformOf(b.platform, configured);
  const token = tokenOf(platform, b.token);
  const environment = environmentOf(platform, b.environment);
  return environment === undefined ? { platform, token } : { platform, token, environment };
}

export function registerNativePushRoutes(app: Hono<AppEnv>, ctx: NativePushRouteContext): void {
  app.post(ROUTES.devices, async (c) => {
    const principal = await ctx.authenticate(c.req.raw);
    const device = parseDeviceRegistration(await readJsonBody(c, ctx.maxBodyBytes), ctx.platforms);
    await saveDevice(
      ctx.database,
      {
        platform: device.platform,
        token: device.token,
        environment: device.environment,
        userId: principal.userId,
        spaces: principal.spaces,
      },
      ctx.maxDevicesPerUser,
    );
    return jsonResponse({}, 201);
  });

  app.delete(ROUTES.devices, async (c) => {
    const principal = await ctx.authenticate(c.req.raw);
    const b = body(await readJsonBody(c, ctx.maxBodyBytes));
    if (!PLATFORMS.includes(b.platform as NativePushPlatform))
      throw invalid('platform must be "fcm" or "apns"');
    if (typeof b.token !== 'string') throw invalid('token must be a string');
    const platform = b.platform as NativePushPlatform;
    // Only the user's own device; removing one that is not there is not an error.
    await deleteDevice(
      ctx.database,
      { platform, token: platform === 'apns' ? b.token.toLowerCase() : b.token },
      principal.userId,
    );
    return new Response(null, { status: 204 });
  });
}
