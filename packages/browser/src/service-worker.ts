/**
 * Service-worker glue an app imports into its own service worker:
 *
 *   handleBackgroundSync(self, { host: async () => optionsForSignedInUser() });
 *
 * - `sync` (Background Sync, tag `ferry-sync`): pushes the outbox when connectivity
 *   returns, even with every tab closed. A failed run rejects `waitUntil`, so the browser
 *   retries it later with its own backoff.
 * - `periodicsync` (tag `ferry-periodic-sync`, installed apps): pulls on the browser's schedule.
 * - `push` (a Web Push poke from the server): syncs, then tells the open pages if one of
 *   them is focused, and otherwise shows a notification summarising what arrived.
 * - `notificationclick`: focuses a window of the app or opens one.
 *
 * Typed structurally, so that it compiles in a project without the WebWorker library; the
 * real `ServiceWorkerGlobalScope` fits these shapes.
 */
import type { SyncResult } from '@ferry/client';
import { syncInBackground } from './background-run.ts';
import type { HostOptions } from './leader-session.ts';
import { DEFAULT_BACKGROUND_SYNC_TAG } from './remote-client.ts';

export const PERIODIC_SYNC_TAG = 'ferry-periodic-sync';
/** The message open pages receive after a push-triggered sync. */
export const PUSH_SYNCED_MESSAGE = 'ferry:push-synced';

interface ExtendableEventLike {
  waitUntil(promise: Promise<unknown>): void;
}
interface SyncEventLike extends ExtendableEventLike {
  readonly tag: string;
}
interface NotificationEventLike extends ExtendableEventLike {
  readonly notification: { close(): void; readonly data?: unknown };
}
interface WindowClientLike {
  readonly url: string;
  readonly focused: boolean;
  focus(): Promise<unknown>;
  postMessage(message: unknown): void;
}
export interface ServiceWorkerScopeLike {
  addEventListener(type: string, listener: (event: Event) => void): void;
  readonly registration: {
    showNotification(title: string, options?: NotificationOptions): Promise<void>;
  };
  readonly clients: {
    matchAll(options: {
      type: 'window';
      includeUncontrolled: boolean;
    }): Promise<readonly WindowClientLike[]>;
    openWindow(url: string): Promise<unknown>;
  };
  readonly location: { readonly origin: string };
}

/**
 * What a background sync brought: the figures of the run, and the service worker event
 * that started it (its run's history records `background` for `sync` and `periodicsync`,
 * `push` for `push`).
 */
export type BackgroundSyncSummary = SyncResult & { trigger: 'sync' | 'periodicsync' | 'push' };

export interface BackgroundSyncOptions {
  /** The host options of the signed-in user's store, or null when nobody is signed in. */
  host: () => Promise<HostOptions | null>;
  /**
   * The notification shown after a push when no window of the app is focused; null shows
   * none. Default: "N new changes" when something was pulled, otherwise none.
   */
  notification?: (summary: BackgroundSyncSummary) => { title: string; body: string } | null;
  /** Opened or focused on a notification click; default `/`. */
  appUrl?: string;
  /** Default `ferry-sync`, as `connectFerry` registers after each write. */
  syncTag?: string;
}

const defaultNotification = (summary: BackgroundSyncSummary) =>
  summary.pulled === 0
    ? null
    : {
        title: 'New changes',
        body: `${summary.pulled} change${summary.pulled === 1 ? '' : 's'} arrived.`,
      };

export function handleBackgroundSync(
  scope: ServiceWorkerScopeLike,
  options: BackgroundSyncOptions,
): void {
  const syncTag = options.syncTag ?? DEFAULT_BACKGROUND_SYNC_TAG;
  const appUrl = new URL(options.appUrl ?? '/', scope.location.origin).href;

  const run = async (trigger: BackgroundSyncSummary['trigger']) => {
    const host = await options.host();
    if (host === null) return null;
    // What the run records: the OS's wake-up, or a push message's.
    const recorded = trigger === 'push' ? 'push' : 'background';
    return { ...(await syncInBackground(host, { trigger: recorded })), trigger };
  };

  const windows = () => scope.clients.matchAll({ type: 'window', includeUncontrolled: true });

  const afterPush = async () => {
    const summary = await run('push');
    if (summary === null) return;
    const open = await windows();
    if (open.some((client) => client.focused)) {
      for (const client of open) client.postMessage({ type: PUSH_SYNCED_MESSAGE, summary });
      return;
    }
    const shown = (options.notification ?? defaultNotification)(summary);
    if (shown === null) return;
    await scope.registration.showNotification(shown.title, {
      body: shown.body,
      tag: 'ferry-changes',
      data: { url: appUrl },
    });
  };

  const focusOrOpen = async () => {
    const open = await windows();
    const existing = open.find((client) => client.url.startsWith(appUrl)) ?? open[0];
    if (existing !== undefined) await existing.focus();
    else await scope.clients.openWindow(appUrl);
  };

  // The events' own types live in the WebWorker library; these are the parts used here.
  scope.addEventListener('sync', (event) => {
    const sync = event as unknown as SyncEventLike;
    if (sync.tag === syncTag) sync.waitUntil(run('sync'));
  });
  scope.addEventListener('periodicsync', (event) => {
    const sync = event as unknown as SyncEventLike;
    if (sync.tag === PERIODIC_SYNC_TAG) sync.waitUntil(run('periodicsync'));
  });
  // Any payload counts as a poke: the run pulls whatever changed, so the payload's details
  // (and an empty push) need no parsing.
  scope.addEventListener('push', (event) =>
    (event as unknown as ExtendableEventLike).waitUntil(afterPush()),
  );
  scope.addEventListener('notificationclick', (event) => {
    const click = event as unknown as NotificationEventLike;
    click.notification.close();
    click.waitUntil(focusOrOpen());
  });
}
