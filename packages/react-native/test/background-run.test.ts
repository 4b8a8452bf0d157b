/**
 * How a background wake-up ends in each case other than a clean sync: without a network,
 * at the OS's expiry, on the app's own client, after a refused run, and when opening the
 * client fails; played through the background task with fakes of expo-task-manager and
 * expo-background-task, against a real server.
 */
import { createClient, createMemoryStore, type FerryClient, type Store } from '@ferry/client';
import {
  type BackgroundSyncReport,
  registerBackgroundSync,
  runBackgroundSync,
} from '@ferry/react-native';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeNetInfo, NO_NETWORK } from './support/fake-phone.ts';
import { fakeBackgroundTask, fakeTaskManager } from './support/fake-tasks.ts';
import { heldBudget } from './support/held-budget.ts';
import { type PhoneTestServer, startPhoneTestServer } from './support/server.ts';

const TASK = 'ferry-background-sync';

let server: PhoneTestServer;
beforeAll(async () => {
  server = await startPhoneTestServer();
  await server.seed('carol', 'notes', 3_000);
});
afterAll(() => server?.stop());

/** A memory store that says whether it was closed. */
function trackedStore() {
  const store = createMemoryStore();
  let closed = false;
  const tracked: Store = {
    ...store,
    async close() {
      closed = true;
      await store.close();
    },
  };
  return { store: tracked, closed: () => closed };
}

async function task(open: Parameters<typeof registerBackgroundSync>[0]['open'], more = {}) {
  const taskManager = fakeTaskManager();
  const backgroundTask = fakeBackgroundTask();
  const reports: BackgroundSyncReport[] = [];
  await registerBackgroundSync({
    taskManager,
    backgroundTask,
    open,
    onReport: (report) => reports.push(report),
    ...more,
  });
  return { taskManager, backgroundTask, reports, run: () => taskManager.run(TASK) };
}

describe('a background wake-up', () => {
  it('waits for a network until its budget, then ends as waiting with its store closed', async () => {
    const netInfo = fakeNetInfo(NO_NETWORK);
    const budget = heldBudget({ netInfo });
    const tracked = trackedStore();
    const token = await server.token('carol');
    const wakeUp = await task(async () => ({
      url: server.url,
      store: tracked.store,
      getToken: () => token,
      environment: budget.environment,
    }));
    const running = wakeUp.run();
    await expect.poll(() => budget.armed()).toBe(1);
    budget.reachBudget();
    expect(await running).toBe(wakeUp.backgroundTask.BackgroundTaskResult.Success);
    budget.dispose();
    expect(wakeUp.reports).toEqual([{ outcome: 'waiting', run: null }]);
    expect(tracked.closed()).toBe(true);
  });

  it('stops at once when iOS expires the task, keeping what it committed', async () => {
    const budget = heldBudget();
    const tracked = trackedStore();
    const token = await server.token('carol');
    let expire = () => {};
    let pulls = 0;
    const wakeUp = await task(async () => ({
      url: server.url,
      store: tracked.store,
      getToken: () => token,
      environment: budget.environment,
      pullLimit: 500,
      fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
        const response = await fetch(input, init);
        if (String(input).endsWith('/v1/pull') && ++pulls === 2) expire();
        return response;
      },
    }));
    expire = () => wakeUp.backgroundTask.expire();
    expect(await wakeUp.run()).toBe(wakeUp.backgroundTask.BackgroundTaskResult.Success);
    budget.dispose();
    const [report] = wakeUp.reports;
    expect(report?.outcome).toBe('budget');
    expect(report?.run).toMatchObject({ outcome: 'aborted', abortReason: 'closed' });
    expect(report?.run?.pulled).toBeGreaterThan(0);
    expect(report?.run?.pulled).toBeLessThan(3_000);
    expect(tracked.closed()).toBe(true);
    expect(wakeUp.backgroundTask.expirationListeners()).toBe(0);
  });

  it("runs on the app's own client when one is open, and leaves it open", async () => {
    const token = await server.token('carol');
    const app: FerryClient = createClient({
      url: server.url,
      store: createMemoryStore(),
      getToken: () => token,
      defaultSpace: 'carol',
      schedule: { triggers: [] },
    });
    let opened = 0;
    const wakeUp = await task(
      async () => {
        opened += 1;
        return null;
      },
      { current: () => app },
    );
    try {
      expect(await wakeUp.run()).toBe(wakeUp.backgroundTask.BackgroundTaskResult.Success);
      const [report] = wakeUp.reports;
      expect(report?.outcome).toBe('ok');
      expect(report?.run).toMatchObject({ outcome: 'success', triggers: ['background'] });
      expect(opened).toBe(0);
      expect(app.getStatus().state).toBe('idle');
      expect(await app.collection('notes').query()).toHaveLength(3_000);
    } finally {
      await app.close();
    }
  });

  it('opens a client of its own when the app client it is given is closed', async () => {
    const token = await server.token('carol');
    const closedApp = createClient({ url: server.url, store: createMemoryStore() });
    await closedApp.close();
    const tracked = trackedStore();
    const report = await runBackgroundSync({
      current: () => closedApp,
      open: async () => ({ url: server.url, store: tracked.store, getToken: () => token }),
    });
    expect(report.outcome).toBe('ok');
    expect(report.run).toMatchObject({ pulled: 3_000, triggers: ['background'] });
    expect(tracked.closed()).toBe(true);
  });

  it("records push when an app's own push handler runs it, and refuses a trigger a wake-up cannot have", async () => {
    const token = await server.token('carol');
    const tracked = trackedStore();
    const open = async () => ({ url: server.url, store: tracked.store, getToken: () => token });
    const pushed = await runBackgroundSync({ open, trigger: 'push' });
    expect(pushed.run).toMatchObject({ outcome: 'success', triggers: ['push'] });
    let opened = 0;
    const refused = await runBackgroundSync({
      open: async () => {
        opened += 1;
        return null;
      },
      trigger: 'manual' as never,
    });
    expect(refused).toMatchObject({ outcome: 'failed', run: null });
    expect(String(refused.error)).toMatch(/trigger "manual" is not one of background, push/);
    expect(opened).toBe(0);
  });

  it('answers Failed when the server refuses the run', async () => {
    const tracked = trackedStore();
    const wakeUp = await task(async () => ({
      url: server.url,
      store: tracked.store,
      getToken: () => 'not-a-token',
    }));
    expect(await wakeUp.run()).toBe(wakeUp.backgroundTask.BackgroundTaskResult.Failed);
    const [report] = wakeUp.reports;
    expect(report?.outcome).toBe('failed');
    expect(report?.run).toMatchObject({ outcome: 'failed', error: { code: expect.any(String) } });
    expect(tracked.closed()).toBe(true);
  });

  it('answers Failed, with the error, when opening the store fails', async () => {
    const wakeUp = await task(async () => {
      throw new Error('disk full');
    });
    expect(await wakeUp.run()).toBe(wakeUp.backgroundTask.BackgroundTaskResult.Failed);
    expect(wakeUp.reports).toEqual([
      { outcome: 'failed', run: null, error: new Error('disk full') },
    ]);
  });

  it('keeps the task defined when the OS refuses to register it', async () => {
    const taskManager = fakeTaskManager();
    await expect(
      registerBackgroundSync({
        taskManager,
        backgroundTask: fakeBackgroundTask({ refuse: true }),
        open: async () => null,
      }),
    ).rejects.toThrow(/restricted/);
    expect(taskManager.defined()).toEqual([TASK]);
  });
});
