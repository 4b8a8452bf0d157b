/**
 * The OS background task, played as the OS would play it (fakes of expo-task-manager and
 * expo-background-task that follow their documentation), against a real server over real
 * HTTP and the phone's SQLite store (the expo-sqlite adapter on real SQLite). The task's
 * time budget is the scheduler's run budget; these tests hold its timers and fire them when
 * they choose, so no assertion depends on how fast this machine is.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ClientOptions,
  createClient,
  createMemoryStore,
  type Store,
  type StoreBatch,
} from '@ferry/client';
import {
  type BackgroundSyncReport,
  openExpoSqliteStore,
  registerBackgroundSync,
} from '@ferry/react-native';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFakeExpoDatabase } from './support/fake-expo-sqlite.ts';
import { fakeBackgroundTask, fakeTaskManager } from './support/fake-tasks.ts';
import { heldBudget } from './support/held-budget.ts';
import { type PhoneTestServer, startPhoneTestServer } from './support/server.ts';

const PENDING = 200;
const NEW_RECORDS = 5_000;
const TASK = 'ferry-background-sync';

const dir = mkdtempSync(join(tmpdir(), 'ferry-phone-background-'));
let server: PhoneTestServer;
beforeAll(async () => {
  server = await startPhoneTestServer();
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A store that counts the pull pages committed to it (commits that move the cursor). */
function countingPages(store: Store) {
  let pages = 0;
  const counted: Store = {
    ...store,
    async commit(batch: StoreBatch) {
      await store.commit(batch);
      if (batch.setMeta !== undefined && 'cursor' in batch.setMeta) pages += 1;
    },
  };
  return { store: counted, pages: () => pages };
}

interface Device {
  path: string;
  user: string;
  token: string;
  options(store: Store, more?: Partial<ClientOptions>): ClientOptions;
  /** Opens the phone's store to look at it. */
  inspect<T>(look: (store: Store) => Promise<T>): Promise<T>;
}

async function phoneWithPendingWrites(user: string): Promise<Device> {
  const path = join(dir, `${user}.db`);
  const token = await server.token(user);
  const device: Device = {
    path,
    user,
    token,
    options: (store, more = {}) => ({
      url: server.url,
      store,
      getToken: () => token,
      defaultSpace: user,
      ...more,
    }),
    async inspect(look) {
      const store = await openExpoSqliteStore(openFakeExpoDatabase(path));
      try {
        return await look(store);
      } finally {
        await store.close();
      }
    },
  };
  // The app wrote offline and was closed before any sync: no automatic triggers here.
  const store = await openExpoSqliteStore(openFakeExpoDatabase(path));
  const app = createClient(device.options(store, { schedule: { triggers: [] } }));
  for (let n = 0; n < PENDING; n++) {
    await app.collection('notes').put(`p${String(n).padStart(3, '0')}`, { n, from: 'phone' });
  }
  await app.close();
  await store.close();
  await server.seed(user, 'notes', NEW_RECORDS);
  return device;
}

/** What the server holds for the user, read by a fresh client. */
async function serverState(device: Device) {
  const reader = createClient({
    url: server.url,
    store: createMemoryStore(),
    getToken: () => device.token,
    defaultSpace: device.user,
    schedule: { triggers: [] },
  });
  try {
    await reader.sync();
    const rows = await reader.collection('notes').query();
    return rows
      .map((row) => ({ key: row.key, value: row.value }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  } finally {
    await reader.close();
  }
}

async function phoneState(device: Device) {
  return device.inspect(async (store) => ({
    records: (await store.listRecords(device.user, 'notes')).map((r) => ({
      key: r.key,
      value: r.value,
    })),
    outbox: (await store.listOutbox()).map((entry) => entry.key),
  }));
}

describe('the background task', () => {
  it('registers with expo-background-task at the 15-minute floor, defined in the same call', async () => {
    const taskManager = fakeTaskManager();
    const backgroundTask = fakeBackgroundTask();
    const registering = registerBackgroundSync({
      taskManager,
      backgroundTask,
      open: async () => null,
      minimumIntervalMs: 60_000,
    });
    // Defined before the first await, as a module-scope call needs.
    expect(taskManager.defined()).toEqual([TASK]);
    await registering;
    expect(backgroundTask.registered.get(TASK)).toEqual({ minimumInterval: 15 });
    await registerBackgroundSync({
      taskManager,
      backgroundTask,
      open: async () => null,
      minimumIntervalMs: 60 * 60_000,
    });
    expect(backgroundTask.registered.get(TASK)).toEqual({ minimumInterval: 60 });
    // Nobody signed in: nothing to do, and that is a success for the OS.
    expect(await taskManager.run(TASK)).toBe(backgroundTask.BackgroundTaskResult.Success);
  });

  it(`finds ${PENDING} pending writes and ${NEW_RECORDS} new records and syncs them all within its budget`, async () => {
    const device = await phoneWithPendingWrites('alice');
    const budget = heldBudget();
    const reports: BackgroundSyncReport[] = [];
    const taskManager = fakeTaskManager();
    const backgroundTask = fakeBackgroundTask();
    await registerBackgroundSync({
      taskManager,
      backgroundTask,
      open: async () =>
        device.options(await openExpoSqliteStore(openFakeExpoDatabase(device.path)), {
          environment: budget.environment,
        }),
      onReport: (report) => reports.push(report),
    });
    try {
      expect(await taskManager.run(TASK)).toBe(backgroundTask.BackgroundTaskResult.Success);
    } finally {
      budget.dispose();
    }
    // The wake-up's budget and its run's were both set, and never reached.
    expect(budget.armed()).toBe(2);
    expect(reports).toHaveLength(1);
    const [report] = reports;
    expect(report?.outcome).toBe('ok');
    expect(report?.run).toMatchObject({ outcome: 'success', abortReason: null, pushed: PENDING });
    expect(backgroundTask.expirationListeners()).toBe(0);

    const phone = await phoneState(device);
    expect(phone.outbox).toEqual([]);
    expect(phone.records).toHaveLength(PENDING + NEW_RECORDS);
    const held = await serverState(device);
    expect(held).toHaveLength(PENDING + NEW_RECORDS);
    expect(phone.records).toEqual(held);
  });

  it('stops cleanly at a budget smaller than the job, and the next run finishes it', async () => {
    const device = await phoneWithPendingWrites('bob');
    const reports: BackgroundSyncReport[] = [];
    const taskManager = fakeTaskManager();
    const backgroundTask = fakeBackgroundTask();
    let wakeUp: ReturnType<typeof heldBudget>;
    let counter: ReturnType<typeof countingPages>;
    let pagesAtBudget = -1;
    let pulls = 0;
    // The budget runs out as the second pull page arrives (the first came with the push).
    const fetchUntilBudget: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
      if (path.endsWith('/v1/pull') && ++pulls === 2 && pagesAtBudget < 0) {
        pagesAtBudget = counter.pages();
        wakeUp.reachBudget();
      }
      return response;
    };
    await registerBackgroundSync({
      taskManager,
      backgroundTask,
      async open() {
        counter = countingPages(await openExpoSqliteStore(openFakeExpoDatabase(device.path)));
        return device.options(counter.store, {
          environment: wakeUp.environment,
          fetch: fetchUntilBudget,
        });
      },
      onReport: (report) => reports.push(report),
    });

    wakeUp = heldBudget();
    try {
      expect(await taskManager.run(TASK)).toBe(backgroundTask.BackgroundTaskResult.Success);
    } finally {
      wakeUp.dispose();
    }
    const first = reports[0];
    expect(first?.outcome).toBe('budget');
    expect(first?.run).toMatchObject({ outcome: 'aborted', abortReason: 'budget' });
    expect(pagesAtBudget).toBeGreaterThan(0);
    // At most the page being stored when the budget ran out was committed after it.
    expect(counter!.pages()).toBeLessThanOrEqual(pagesAtBudget + 1);

    // What it left is consistent: the writes it pushed are on the server, and every write
    // is still in the outbox until a pull brings it back; the records it pulled are the
    // server's, and only part of them.
    const between = await phoneState(device);
    const serverBetween = await serverState(device);
    const fromPhone = serverBetween.filter((row) => row.key.startsWith('p'));
    expect(fromPhone).toHaveLength(first?.run?.pushed ?? -1);
    const pulledKeys = new Set(between.records.map((record) => record.key));
    const unconfirmed = new Set(between.outbox);
    for (let n = 0; n < PENDING; n++) {
      const key = `p${String(n).padStart(3, '0')}`;
      expect(unconfirmed.has(key) || pulledKeys.has(key), key).toBe(true);
    }
    expect(between.records.length).toBeGreaterThan(0);
    expect(between.records.length).toBeLessThan(PENDING + NEW_RECORDS);
    const held = new Map(serverBetween.map((row) => [row.key, row.value]));
    for (const record of between.records) expect(record.value).toEqual(held.get(record.key));

    // The next wake-up, with time to spare, finishes the job from the saved cursor.
    wakeUp = heldBudget();
    try {
      expect(await taskManager.run(TASK)).toBe(backgroundTask.BackgroundTaskResult.Success);
    } finally {
      wakeUp.dispose();
    }
    expect(reports[1]?.outcome).toBe('ok');
    const after = await phoneState(device);
    const serverAfter = await serverState(device);
    expect(after.outbox).toEqual([]);
    expect(serverAfter).toHaveLength(PENDING + NEW_RECORDS);
    expect(after.records).toEqual(serverAfter);
  });
});
