/**
 * Registers the phone's native push token with the Ferry server (`POST /v1/devices`), so
 * that the server wakes the app after changes in its user's spaces, and removes it at
 * sign-out (`DELETE /v1/devices`). A server without native push answers 404: the app then
 * syncs on its other triggers only.
 */
import type { TokenProvider } from '@ferry/client';
import { type DeviceRegistration, ROUTES } from '@ferry/protocol';

/** expo-notifications' `DevicePushToken`: `{ type: 'android' | 'ios', data }`. */
export interface DevicePushTokenLike {
  type: string;
  data: unknown;
}

/** The body for the server, or null for a token it cannot send to (web, Expo's own). */
export function deviceRegistration(
  token: DevicePushTokenLike,
  apnsEnvironment: 'sandbox' | 'production' = 'production',
): DeviceRegistration | null {
  if (typeof token.data !== 'string') return null;
  if (token.type === 'android') return { platform: 'fcm', token: token.data };
  if (token.type === 'ios') {
    return { platform: 'apns', token: token.data, environment: apnsEnvironment };
  }
  return null;
}

export type DeviceRequestResult = 'registered' | 'removed' | 'no-native-push';

export async function sendDeviceRequest(
  method: 'POST' | 'DELETE',
  options: {
    serverUrl: string;
    getToken: TokenProvider;
    registration: DeviceRegistration;
    fetch?: typeof fetch;
  },
): Promise<DeviceRequestResult> {
  const fetchFn = options.fetch ?? fetch;
  const { environment, ...identity } = options.registration;
  const body = method === 'POST' ? options.registration : identity;
  const response = await fetchFn(new URL(ROUTES.devices, options.serverUrl), {
    method,
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${await options.getToken({ refresh: false })}`,
    },
    body: JSON.stringify(body),
  });
  if (response.status === 404) return 'no-native-push';
  if (!response.ok) throw new Error(`${method} ${ROUTES.devices} answered ${response.status}`);
  return method === 'POST' ? 'registered' : 'removed';
}
