/**
 * "Enable notifications": permission, the server's VAPID key, a push subscription from the
 * browser's push service, and the subscription stored on the server. Every failure becomes
 * an `Error` whose message says what to do.
 */
import { type DemoUser, tokenProvider } from './session.ts';

const READY_TIMEOUT_MS = 10_000;

function base64urlToBytes(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function serviceWorker(): Promise<ServiceWorkerRegistration> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error('The service worker is not running, so push cannot be set up.')),
      READY_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([navigator.serviceWorker.ready, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function serverError(response: Response): Promise<string> {
  const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
  return body?.error?.message ?? `HTTP ${response.status}`;
}

export async function enablePush(user: DemoUser): Promise<string> {
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window))
    throw new Error('This browser does not support Web Push.');
  const permission = await Notification.requestPermission();
  if (permission !== 'granted')
    throw new Error('Notifications are blocked for this site; allow them in the site settings.');

  const token = await tokenProvider(user)({ refresh: false });
  const authorization = `Bearer ${token}`;
  const keyResponse = await fetch('/v1/push/vapid-public-key', { headers: { authorization } });
  if (keyResponse.status === 404) throw new Error('This server has Web Push turned off.');
  if (!keyResponse.ok)
    throw new Error(`Could not read the server's push key: ${await serverError(keyResponse)}`);
  const { key } = (await keyResponse.json()) as { key: string };

  const registration = await serviceWorker();
  let subscription: PushSubscription;
  try {
    subscription = await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: base64urlToBytes(key),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`No push service could be reached (${reason}).`);
  }

  const saved = await fetch('/v1/push/subscriptions', {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify(subscription.toJSON()),
  });
  if (!saved.ok)
    throw new Error(`The server refused the subscription: ${await serverError(saved)}`);
  return 'Notifications are on: changes from others will wake this app.';
}
