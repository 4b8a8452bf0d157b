/**
 * Push wake-ups through expo-notifications' background task, played as the OS would play
 * it (fakes of expo-task-manager and expo-notifications that follow their documentation),
 * against a real server: a Ferry data message syncs, anything else is left to the app, and
 * Ferry never shows a notification itself.
 */
import { createClient, createMemoryStore, type Store } from '@ferry/client';
import {
  type BackgroundSyncReport,
  isFerryPush,
  pushData,
  registerPushWakeUps,
} from '@ferry/react-native';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeNotifications, fakeTaskManager } from './support/fake-tasks.ts';
import { type PhoneTestServer, startPhoneTestServer } from './support/server.ts';

const TASK = 'ferry-push-wake-up';

let server: PhoneTestServer;
beforeAll(async () => {
  server = await startPhoneTestServer();
  await server.seed('dave', 'notes', 20);
});
afterAll(() => server?.stop());

/** A notifications module whose ways of showing something count their calls. */
function watchedNotifications() {
  const notifications = fakeNotifications();
  const shown: string[] = [];
  return {
    notifications: {
      ...notifications,
      scheduleNotificationAsync: async () => {
        shown.push('schedule');
      },
      presentNotificationAsync: async () => {
        shown.push('present');
      },
      setNotificationHandler: () => {
        shown.push('handler');
      },
    },
    registered: notifications.registered,
    shown,
  };
}

async function setUp() {
  const taskManager = fakeTaskManager();
  const watched = watchedNotifications();
  const reports: BackgroundSyncReport[] = [];
  const stores: Store[] = [];
  const token = await server.token('dave');
  await registerPushWakeUps({
    taskManager,
    notifications: watched.notifications,
    open: async () => {
      const store = createMemoryStore();
      stores.push(store);
      return { url: server.url, store, getToken: () => token, defaultSpace: 'dave' };
    },
    onReport: (report) => reports.push(report),
  });
  const result = watched.notifications.BackgroundNotificationTaskResult;
  return { taskManager, watched, reports, stores, result };
}

describe('push wake-ups', () => {
  it('define a task and register it with expo-notifications', async () => {
    const { taskManager, watched } = await setUp();
    expect(taskManager.defined()).toEqual([TASK]);
    expect([...watched.registered]).toEqual([TASK]);
  });

  it('sync on a Ferry data message as Android delivers it (dataString), and show nothing', async () => {
    const { taskManager, watched, reports, result } = await setUp();
    const payload = { notification: null, data: { dataString: '{"ferry":"poke","version":20}' } };
    expect(await taskManager.run(TASK, payload)).toBe(result.NewData);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ outcome: 'ok', run: { pulled: 20, triggers: ['push'] } });
    expect(watched.shown).toEqual([]);
  });

  it('sync on a Ferry data message as iOS delivers it, on the open app client: NoData when nothing was new', async () => {
    const token = await server.token('dave');
    const app = createClient({
      url: server.url,
      store: createMemoryStore(),
      getToken: () => token,
      schedule: { triggers: [] },
    });
    const taskManager = fakeTaskManager();
    const notifications = fakeNotifications();
    const reports: BackgroundSyncReport[] = [];
    await registerPushWakeUps({
      taskManager,
      notifications,
      current: () => app,
      open: async () => null,
      onReport: (report) => reports.push(report),
    });
    const result = notifications.BackgroundNotificationTaskResult;
    const payload = {
      notification: null,
      data: { ferry: 'poke' },
      aps: { 'content-available': 1 },
    };
    try {
      expect(await taskManager.run(TASK, payload)).toBe(result.NewData);
      expect(await taskManager.run(TASK, payload)).toBe(result.NoData);
      expect(reports.map((report) => [report.outcome, report.run?.pulled])).toEqual([
        ['ok', 20],
        ['ok', 0],
      ]);
      // The app's own client records why it ran, as its inspector and history show.
      expect((await app.history()).map((run) => run.triggers)).toEqual([['push'], ['push']]);
    } finally {
      await app.close();
    }
  });

  it('leave other messages, and taps on notifications, to the app', async () => {
    const { taskManager, reports, stores, result } = await setUp();
    const chat = { notification: { title: 'Hi' }, data: { dataString: '{"chat":"m1"}' } };
    const tap = {
      actionIdentifier: 'expo.modules.notifications.actions.DEFAULT',
      notification: {},
    };
    expect(await taskManager.run(TASK, chat)).toBe(result.NoData);
    expect(await taskManager.run(TASK, tap)).toBe(result.NoData);
    expect(await taskManager.run(TASK, null)).toBe(result.NoData);
    expect(reports).toEqual([]);
    expect(stores).toEqual([]);
  });

  it('answer Failed when the sync fails', async () => {
    const taskManager = fakeTaskManager();
    const notifications = fakeNotifications();
    await registerPushWakeUps({
      taskManager,
      notifications,
      open: async () => ({ url: server.url, store: createMemoryStore(), getToken: () => 'bad' }),
    });
    expect(await taskManager.run(TASK, { data: { ferry: 'poke' } })).toBe(
      notifications.BackgroundNotificationTaskResult.Failed,
    );
  });

  it('take the app’s own test of which messages are Ferry’s', async () => {
    const taskManager = fakeTaskManager();
    const notifications = fakeNotifications();
    const token = await server.token('dave');
    await registerPushWakeUps({
      taskManager,
      notifications,
      taskName: 'sync-on-push',
      isFerryPush: (data) => data.kind === 'sync',
      open: async () => ({ url: server.url, store: createMemoryStore(), getToken: () => token }),
    });
    const result = notifications.BackgroundNotificationTaskResult;
    expect(await taskManager.run('sync-on-push', { data: { kind: 'sync' } })).toBe(result.NewData);
    expect(await taskManager.run('sync-on-push', { data: { ferry: 'poke' } })).toBe(result.NoData);
  });
});

describe('pushData and isFerryPush', () => {
  it('read the payload from dataString and the data keys, and recognise a poke', () => {
    expect(pushData({ data: { dataString: '{"ferry":"poke","version":3}', other: 1 } })).toEqual({
      ferry: 'poke',
      version: 3,
      other: 1,
    });
    expect(pushData({ data: { dataString: 'not json', ferry: 'poke' } })).toEqual({
      ferry: 'poke',
    });
    expect(pushData({ actionIdentifier: 'x', notification: {} })).toBeNull();
    expect(pushData('text')).toBeNull();
    expect(isFerryPush({ ferry: 'poke' })).toBe(true);
    expect(isFerryPush({ type: 'poke' })).toBe(false);
  });
});
