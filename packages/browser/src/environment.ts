/**
 * The browser runtime for the scheduler, for a page, a dedicated worker or the service
 * worker (the global scope is passed in, `globalThis` by default; `document` is touched
 * only where one exists). Everything is feature-detected, and `signals` says what this
 * runtime can really observe:
 *
 * - network: `navigator.onLine` and the `online`/`offline` events of the scope;
 * - visibility: `document.visibilityState` and `visibilitychange`, in a page only;
 * - metered: the Network Information API (`navigator.connection`: Chromium only), metered
 *   when `saveData` is on or the type is `cellular`;
 * - battery: the Battery Status API (`navigator.getBattery()`: Chromium only), low at 15 %
 *   or less and not charging. Its answer is asynchronous: until it comes, `lowBattery` is
 *   undefined and `signals.battery` false; then both change and watchers are told.
 *
 * Conditions are read live on every `conditions()` call; listeners on the scope are added
 * while somebody watches and removed when the last watcher stops.
 */
import type { Conditions, EnvironmentSignals, SyncEnvironment } from '@ferry/client';

/** The Network Information API, which TypeScript's DOM library does not describe. */
interface NetworkInformationLike extends EventTarget {
  readonly type?: string;
  readonly saveData?: boolean;
}

/** The Battery Status API, which TypeScript's DOM library does not describe. */
interface BatteryManagerLike extends EventTarget {
  readonly charging: boolean;
  readonly level: number;
}

interface NavigatorLike {
  readonly onLine?: boolean;
  readonly connection?: NetworkInformationLike;
  readonly getBattery?: () => Promise<BatteryManagerLike>;
  readonly locks?: unknown;
  readonly serviceWorker?: unknown;
}

/** The parts of a window or worker global scope this module looks at. */
interface ScopeLike {
  readonly navigator?: NavigatorLike;
  // Structural, not `Document`: this module is type-checked in workers too.
  readonly document?: EventTarget & { readonly visibilityState: string };
  readonly addEventListener?: EventTarget['addEventListener'];
  readonly removeEventListener?: EventTarget['removeEventListener'];
  readonly setTimeout: (callback: () => void, delayMs: number) => unknown;
  readonly clearTimeout: (handle: never) => void;
}

/** Battery level at or below which an unplugged device counts as low (Android's is 15 %). */
export const LOW_BATTERY_LEVEL = 0.15;

export interface BrowserEnvironmentOptions {
  /** The global scope to observe: a window, a worker or a service worker. Default: globalThis. */
  scope?: typeof globalThis;
}

export function createBrowserEnvironment(options: BrowserEnvironmentOptions = {}): SyncEnvironment {
  const scope = (options.scope ?? globalThis) as unknown as ScopeLike;
  const nav = scope.navigator;
  const doc = scope.document;
  const connection = nav?.connection;
  const events = typeof scope.addEventListener === 'function';

  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of [...listeners]) listener();
  };

  let battery: BatteryManagerLike | undefined;
  const signals: EnvironmentSignals = {
    network: typeof nav?.onLine === 'boolean' && events,
    visibility: doc !== undefined,
    metered: connection !== undefined && typeof connection.addEventListener === 'function',
    get battery() {
      return battery !== undefined;
    },
  };

  const subscriptions: Array<[EventTarget, string]> = [];
  const listen = (target: EventTarget, type: string) => {
    target.addEventListener(type, notify);
    subscriptions.push([target, type]);
  };
  const start = () => {
    if (signals.network) {
      listen(scope as unknown as EventTarget, 'online');
      listen(scope as unknown as EventTarget, 'offline');
    }
    if (doc !== undefined) listen(doc, 'visibilitychange');
    if (signals.metered && connection !== undefined) listen(connection, 'change');
    if (battery !== undefined) {
      listen(battery, 'levelchange');
      listen(battery, 'chargingchange');
    }
  };
  const stop = () => {
    for (const [target, type] of subscriptions.splice(0)) {
      target.removeEventListener(type, notify);
    }
  };

  if (typeof nav?.getBattery === 'function') {
    nav.getBattery().then(
      (manager) => {
        battery = manager;
        if (listeners.size > 0) {
          listen(manager, 'levelchange');
          listen(manager, 'chargingchange');
          notify();
        }
      },
      () => {
        // Refused (a permissions policy or an insecure context): the battery stays unknown.
      },
    );
  }

  const conditions = (): Conditions => ({
    online: signals.network ? nav?.onLine !== false : true,
    visible: doc === undefined ? undefined : doc.visibilityState !== 'hidden',
    metered: signals.metered
      ? connection?.saveData === true || connection?.type === 'cellular'
      : undefined,
    lowBattery:
      battery === undefined ? undefined : !battery.charging && battery.level <= LOW_BATTERY_LEVEL,
  });

  return {
    now: () => Date.now(),
    setTimeout: (callback, delayMs) => scope.setTimeout(callback, delayMs),
    clearTimeout: (handle) => scope.clearTimeout(handle as never),
    random: () => Math.random(),
    conditions,
    watch(listener) {
      const wrapped = () => listener();
      if (listeners.size === 0) start();
      listeners.add(wrapped);
      return () => {
        if (!listeners.delete(wrapped)) return;
        if (listeners.size === 0) stop();
      };
    },
    signals,
  };
}

/** What the browser this code runs in offers Ferry, found by feature detection. */
export interface BrowserCapabilities {
  /** Service workers can be registered here (pages and workers of a secure context). */
  serviceWorker: boolean;
  /** Background Sync (`registration.sync`, the service worker `sync` event). */
  backgroundSync: boolean;
  /** Periodic Background Sync (`registration.periodicSync`; installed PWAs only). */
  periodicSync: boolean;
  /** Web Push (`PushManager`). */
  push: boolean;
  /** The Notifications API. */
  notifications: boolean;
  /** Web Locks (`navigator.locks`), which elect the one sync leader across tabs and workers. */
  webLocks: boolean;
  /** `BroadcastChannel`, which shares status across tabs and workers. */
  broadcastChannel: boolean;
  indexedDB: boolean;
}

/**
 * Feature-detects what this browser offers. Background Sync and Periodic Background Sync
 * exist only in Chromium-based browsers: Firefox and Safari lack both, so there the outbox
 * drains and new data arrives through the foreground triggers (start, online, visible,
 * interval, poke) while a tab or worker is open, and Web Push (where granted) to wake a
 * closed PWA.
 */
export function browserCapabilities(scope: typeof globalThis = globalThis): BrowserCapabilities {
  const s = scope as unknown as Record<string, unknown> & { navigator?: NavigatorLike };
  const nav = s.navigator;
  const registration = s.ServiceWorkerRegistration;
  const prototype =
    typeof registration === 'function' ? (registration.prototype as object) : undefined;
  const inServiceWorker = typeof s.ServiceWorkerGlobalScope === 'function' && 'registration' in s;
  const serviceWorker =
    prototype !== undefined && (nav?.serviceWorker !== undefined || inServiceWorker);
  let indexedDB = false;
  try {
    indexedDB = s.indexedDB !== undefined && s.indexedDB !== null;
  } catch {
    // Some sandboxed frames throw on access instead of leaving it undefined.
  }
  return {
    serviceWorker,
    backgroundSync: serviceWorker && prototype !== undefined && 'sync' in prototype,
    periodicSync: serviceWorker && prototype !== undefined && 'periodicSync' in prototype,
    push: typeof s.PushManager === 'function',
    notifications: typeof s.Notification === 'function',
    webLocks: typeof (nav?.locks as { request?: unknown } | undefined)?.request === 'function',
    broadcastChannel: typeof s.BroadcastChannel === 'function',
    indexedDB,
  };
}
