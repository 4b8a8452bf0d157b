/**
 * The browser environment in real Chromium: the shared environment acceptance suite, the
 * network events of the window, and feature detection.
 */
import { browserCapabilities, createBrowserEnvironment } from '@ferry/browser';
import { afterEach, describe, expect, it } from 'vitest';
// By relative path, not through `@ferry/testing`: that entry also exports the
// simulation, whose Node-only imports do not bundle for the browser.
import { runEnvironmentAcceptanceTests } from '../../../testing/src/environment-acceptance.ts';

/** Makes navigator.onLine report `online` and fires the matching event, as the browser does. */
function goOnline(online: boolean): void {
  Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => online });
  window.dispatchEvent(new Event(online ? 'online' : 'offline'));
}

/** Removes the stub, so navigator.onLine is the browser's own getter again. */
function restoreOnLine(): void {
  delete (navigator as unknown as { onLine?: boolean }).onLine;
}

runEnvironmentAcceptanceTests('browser (Chromium)', async () => ({
  environment: createBrowserEnvironment(),
  setOnline: async (online) => goOnline(online),
  dispose: restoreOnLine,
}));

describe('browser environment in Chromium', () => {
  afterEach(restoreOnLine);

  it('hears offline and online events on the window and flips conditions().online', () => {
    const environment = createBrowserEnvironment();
    expect(environment.signals.network).toBe(true);
    const heard: boolean[] = [];
    const stop = environment.watch(() => heard.push(environment.conditions().online));
    goOnline(false);
    expect(environment.conditions().online).toBe(false);
    goOnline(true);
    expect(environment.conditions().online).toBe(true);
    expect(heard).toEqual([false, true]);
    stop();
    goOnline(false);
    expect(heard).toEqual([false, true]);
    expect(environment.conditions().online).toBe(false);
  });

  it('sees the visibility of the page, and the network type through navigator.connection', () => {
    const environment = createBrowserEnvironment();
    expect(environment.signals.visibility).toBe(true);
    expect(environment.conditions().visible).toBe(document.visibilityState !== 'hidden');
    // Chromium has the Network Information API; on a desktop it is not metered.
    expect(environment.signals.metered).toBe(true);
    expect(environment.conditions().metered).toBe(false);
  });

  it('tells watchers when the page is shown or hidden and when the connection changes', () => {
    const environment = createBrowserEnvironment();
    let calls = 0;
    const stop = environment.watch(() => {
      calls += 1;
    });
    document.dispatchEvent(new Event('visibilitychange'));
    expect(calls).toBe(1);
    (navigator as unknown as { connection: EventTarget }).connection.dispatchEvent(
      new Event('change'),
    );
    expect(calls).toBe(2);
    stop();
    document.dispatchEvent(new Event('visibilitychange'));
    expect(calls).toBe(2);
  });

  it('reports the battery once the Battery Status API answered, and only then', async () => {
    const environment = createBrowserEnvironment();
    expect(environment.signals.battery).toBe(false);
    expect(environment.conditions().lowBattery).toBeUndefined();
    const manager = await (
      navigator as unknown as { getBattery(): Promise<{ level: number; charging: boolean }> }
    ).getBattery();
    expect(environment.signals.battery).toBe(true);
    expect(environment.conditions().lowBattery).toBe(!manager.charging && manager.level <= 0.15);
  });

  it('observes only what a scope without a document or network events offers', () => {
    const environment = createBrowserEnvironment({
      scope: { setTimeout, clearTimeout } as unknown as typeof globalThis,
    });
    expect(environment.signals).toEqual({
      network: false,
      visibility: false,
      metered: false,
      battery: false,
    });
    expect(environment.conditions()).toEqual({
      online: true,
      visible: undefined,
      metered: undefined,
      lowBattery: undefined,
    });
    environment.watch(() => {})();
  });

  it('detects Web Locks, BroadcastChannel and IndexedDB in Chromium', () => {
    const capabilities = browserCapabilities();
    expect(capabilities).toMatchObject({ webLocks: true, broadcastChannel: true, indexedDB: true });
    expect(capabilities.backgroundSync).toBe(capabilities.serviceWorker);
    expect(browserCapabilities({} as typeof globalThis)).toEqual({
      serviceWorker: false,
      backgroundSync: false,
      periodicSync: false,
      push: false,
      notifications: false,
      webLocks: false,
      broadcastChannel: false,
      indexedDB: false,
    });
  });
});
