/**
 * The phone environment passes the environment acceptance suite that every runtime passes,
 * with NetInfo, with expo-network and expo-battery, and with AppState alone; and it maps
 * what those modules report (fakes that follow their documented contracts) onto the
 * scheduler's conditions and triggers.
 */
import { createClient, createMemoryStore, type FerryClient } from '@ferry/client';
import { createReactNativeEnvironment } from '@ferry/react-native';
import { createFerryServer, createPGliteDatabase, type FerryServer } from '@ferry/server';
import { runEnvironmentAcceptanceTests } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CELLULAR,
  fakeAppState,
  fakeBattery,
  fakeExpoNetwork,
  fakeNetInfo,
  NO_NETWORK,
  settle,
  WIFI,
} from './support/fake-phone.ts';

runEnvironmentAcceptanceTests('React Native with NetInfo', async () => {
  const netInfo = fakeNetInfo();
  const environment = createReactNativeEnvironment({ appState: fakeAppState(), netInfo });
  await settle();
  return {
    environment,
    async setOnline(online) {
      netInfo.set(online ? WIFI : NO_NETWORK);
      await settle();
    },
    dispose: () => environment.dispose(),
  };
});

runEnvironmentAcceptanceTests('React Native with expo-network and expo-battery', async () => {
  const expoNetwork = fakeExpoNetwork();
  const environment = createReactNativeEnvironment({
    appState: fakeAppState(),
    expoNetwork,
    battery: fakeBattery(),
  });
  await settle();
  return {
    environment,
    async setOnline(online) {
      expoNetwork.set(
        online ? { type: 'WIFI', isConnected: true } : { type: 'NONE', isConnected: false },
      );
      await settle();
    },
    dispose: () => environment.dispose(),
  };
});

runEnvironmentAcceptanceTests('React Native with AppState alone', async () => {
  const environment = createReactNativeEnvironment({ appState: fakeAppState() });
  return { environment, dispose: () => environment.dispose() };
});

describe('React Native environment', () => {
  it('is in the foreground while AppState is active, and tells watchers when that changes', () => {
    const appState = fakeAppState('active');
    const environment = createReactNativeEnvironment({ appState });
    let heard = 0;
    environment.watch(() => {
      heard += 1;
    });
    expect(environment.conditions().visible).toBe(true);
    appState.set('inactive');
    expect(environment.conditions().visible).toBe(false);
    appState.set('background');
    expect(heard).toBe(1);
    appState.set('active');
    expect(environment.conditions().visible).toBe(true);
    expect(heard).toBe(2);
    expect(environment.signals.visibility).toBe(true);
    environment.dispose();
  });

  it('counts a launch in the background (a background task, a push) as not in the foreground', () => {
    const environment = createReactNativeEnvironment({ appState: fakeAppState('background') });
    expect(environment.conditions().visible).toBe(false);
    environment.dispose();
  });

  it("reads online and metered from NetInfo's isConnected and isConnectionExpensive", async () => {
    const netInfo = fakeNetInfo(CELLULAR);
    const environment = createReactNativeEnvironment({ appState: fakeAppState(), netInfo });
    // Nothing is known before NetInfo's first answer: online, metered unknown.
    expect(environment.conditions()).toMatchObject({ online: true, metered: undefined });
    expect(environment.signals.metered).toBe(false);
    let heard = 0;
    environment.watch(() => {
      heard += 1;
    });
    await settle();
    await settle();
    expect(environment.conditions()).toMatchObject({ online: true, metered: true });
    expect(environment.signals).toMatchObject({ network: true, metered: true });
    expect(heard).toBe(1);
    netInfo.set(WIFI);
    expect(environment.conditions()).toMatchObject({ online: true, metered: false });
    netInfo.set(NO_NETWORK);
    expect(environment.conditions().online).toBe(false);
    // A state NetInfo cannot tell yet (isConnected null) is not "offline".
    netInfo.set({ type: 'unknown', isConnected: null, details: null });
    expect(environment.conditions().online).toBe(true);
    expect(heard).toBe(4);
    environment.dispose();
  });

  it('keeps a change its listener heard over an older first answer that arrives later', async () => {
    const netInfo = fakeNetInfo(WIFI, { answers: false });
    const environment = createReactNativeEnvironment({ appState: fakeAppState(), netInfo });
    netInfo.set(NO_NETWORK);
    await settle();
    expect(environment.conditions().online).toBe(false);
    environment.dispose();
  });

  it("reads expo-network's type: CELLULAR is metered", async () => {
    const expoNetwork = fakeExpoNetwork({ type: 'CELLULAR', isConnected: true });
    const environment = createReactNativeEnvironment({ appState: fakeAppState(), expoNetwork });
    await settle();
    await settle();
    expect(environment.conditions()).toMatchObject({ online: true, metered: true });
    expoNetwork.set({ type: 'WIFI', isConnected: true });
    expect(environment.conditions().metered).toBe(false);
    expoNetwork.set({ type: 'NONE', isConnected: false });
    expect(environment.conditions().online).toBe(false);
    environment.dispose();
  });

  it('reports Low Power Mode as a low battery once expo-battery has answered', async () => {
    const battery = fakeBattery(true);
    const environment = createReactNativeEnvironment({ appState: fakeAppState(), battery });
    expect(environment.signals.battery).toBe(false);
    expect(environment.conditions().lowBattery).toBeUndefined();
    await settle();
    await settle();
    expect(environment.signals.battery).toBe(true);
    expect(environment.conditions().lowBattery).toBe(true);
    battery.set(false);
    expect(environment.conditions().lowBattery).toBe(false);
    environment.dispose();
  });

  it('stops listening to every module on dispose()', async () => {
    const modules = {
      appState: fakeAppState(),
      netInfo: fakeNetInfo(),
      battery: fakeBattery(),
    };
    const environment = createReactNativeEnvironment(modules);
    expect([modules.appState, modules.netInfo, modules.battery].map((m) => m.listeners())).toEqual([
      1, 1, 1,
    ]);
    environment.dispose();
    expect([modules.appState, modules.netInfo, modules.battery].map((m) => m.listeners())).toEqual([
      0, 0, 0,
    ]);
  });

  it('refuses both NetInfo and expo-network', () => {
    expect(() =>
      createReactNativeEnvironment({
        appState: fakeAppState(),
        netInfo: fakeNetInfo(),
        expoNetwork: fakeExpoNetwork(),
      }),
    ).toThrow(/netInfo or expoNetwork, not both/);
  });
});

describe('React Native environment driving a client', () => {
  let server: FerryServer;
  beforeAll(async () => {
    server = await createFerryServer({
      database: await createPGliteDatabase(),
      jwtSecret: 'a-test-secret-that-is-long-enough-for-hs256',
      webPush: false,
    });
  });
  afterAll(() => server.close());

  it('syncs on return to the foreground and when the network comes back, and waits while offline', async () => {
    const appState = fakeAppState('active');
    const netInfo = fakeNetInfo();
    const environment = createReactNativeEnvironment({ appState, netInfo });
    const token = await server.signToken({ userId: 'alice' }, 3600);
    const client: FerryClient = createClient({
      url: 'http://ferry.test',
      fetch: (input, init) => server.fetch(new Request(input, init)),
      store: createMemoryStore(),
      getToken: () => token,
      environment,
      // Always due, so that every opportunity runs; no interval or local-change runs.
      schedule: { minIntervalMs: 1, triggers: ['start', 'online', 'visible'] },
    });
    const runs = async () =>
      (await client.history()).map((run) => `${run.triggers.join('+')}: ${run.outcome}`);
    try {
      await expect.poll(runs).toEqual(['start: success']);
      // Due again once the clock has moved past the last success (minIntervalMs: 1).
      const synced = client.getStatus().lastSuccessAt ?? 0;
      await expect.poll(() => Date.now()).toBeGreaterThan(synced + 1);
      appState.set('background');
      appState.set('active');
      await expect.poll(runs).toEqual(['start: success', 'visible: success']);
      netInfo.set(NO_NETWORK);
      await expect
        .poll(() => client.getStatus())
        .toMatchObject({
          state: 'waiting',
          waitingFor: 'network',
        });
      netInfo.set(WIFI);
      await expect.poll(runs).toEqual(['start: success', 'visible: success', 'online: success']);
      expect(client.capabilities().triggers).toMatchObject({ online: true, visible: true });
    } finally {
      await client.close();
      environment.dispose();
    }
  });
});
