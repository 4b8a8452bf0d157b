/**
 * The Expo example's Ferry logic (src/ferry-app.ts), on the fakes of the native modules
 * that @ferry/react-native's own tests use (expo-sqlite on real SQLite, expo-network,
 * AppState, the task managers), against a dev-mode Ferry server over real HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, createMemoryStore } from '@ferry/client';
import type { BackgroundSyncReport } from '@ferry/react-native';
import { createFerryServer, createPGliteDatabase, type FerryServer, listen } from '@ferry/server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openFakeExpoDatabase } from '../../../packages/react-native/test/support/fake-expo-sqlite.ts';
import {
  fakeAppState,
  fakeExpoNetwork,
} from '../../../packages/react-native/test/support/fake-phone.ts';
import {
  fakeBackgroundTask,
  fakeNotifications,
  fakeTaskManager,
} from '../../../packages/react-native/test/support/fake-tasks.ts';
import { createFerryApp } from '../src/ferry-app.ts';
import { addItem, type Item, toggleItem } from '../src/lists.ts';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const dir = mkdtempSync(join(tmpdir(), 'ferry-expo-example-'));
let server: FerryServer;
let url: string;
let close: () => Promise<void>;

beforeAll(async () => {
  server = await createFerryServer({
    database: await createPGliteDatabase(),
    jwtSecret: 'a-test-secret-that-is-long-enough-for-hs256',
    dev: true,
    webPush: false,
    logger: silent,
  });
  const listening = await listen(server, { port: 0, hostname: '127.0.0.1' });
  url = listening.url;
  close = listening.close;
});
afterAll(async () => {
  await close?.();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function phone() {
  const kv = new Map<string, string>();
  const taskManager = fakeTaskManager();
  const reports: BackgroundSyncReport[] = [];
  const app = createFerryApp(
    {
      appState: fakeAppState('active'),
      expoNetwork: fakeExpoNetwork(),
      openDatabase: async (name) => openFakeExpoDatabase(join(dir, name)),
      storage: {
        getItem: async (key) => kv.get(key) ?? null,
        setItem: async (key, value) => void kv.set(key, value),
        removeItem: async (key) => kv.delete(key),
      },
      taskManager,
      backgroundTask: fakeBackgroundTask(),
      notifications: fakeNotifications(),
      devicePushToken: async () => ({ type: 'android', data: 'an-fcm-token' }),
    },
    { serverUrl: url, onBackgroundReport: (report) => reports.push(report) },
  );
  return { app, taskManager, reports };
}

/** What the server holds in alice's list, read by another device. */
async function itemsOnServer(user: string) {
  const client = createClient<{ items: Item }>({
    url,
    store: createMemoryStore(),
    getToken: () => server.signToken({ userId: user, spaces: [`user.${user}`] }, 3600),
    defaultSpace: `user.${user}`,
  });
  try {
    await client.sync();
    return await client.collection('items').query();
  } finally {
    await client.close();
  }
}

it('a write made in the app reaches the server, and a tick follows it', async () => {
  const { app } = phone();
  await app.session.signIn('alice');
  const client = await app.openClient();
  if (client === null) throw new Error('no client after signing in');
  const key = await addItem(client, 'alice', 'milk');
  await client.sync();
  expect(client.getStatus().pendingCount).toBe(0);
  expect((await itemsOnServer('alice')).map((row) => row.value)).toMatchObject([
    { text: 'milk', done: false, by: 'alice' },
  ]);
  await toggleItem(client, key);
  await client.sync();
  expect((await itemsOnServer('alice'))[0]?.value.done).toBe(true);
  // No native push configured: the server says so, and the app goes on without it.
  expect(await app.registerDevice()).toBe('no-native-push');
  await app.signOut();
});

it('the OS background task syncs the signed-in user with no screen open', async () => {
  const { app, taskManager, reports } = phone();
  await app.session.signIn('bob');
  const results = await app.registerWakeUps();
  expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
  await server.write([
    {
      space: 'user.bob',
      collection: 'items',
      key: 'from-the-web',
      op: 'put',
      value: { text: 'bread', done: false, createdAt: 1, by: 'bob' },
    },
  ]);
  expect(app.current()).toBeNull();
  await taskManager.run('ferry-background-sync');
  expect(reports.map((report) => report.outcome)).toEqual(['ok']);
  // The wake-up stored what it pulled: the screens open on it without a sync.
  const client = await app.openClient();
  expect(await client?.collection('items').get('from-the-web')).toMatchObject({ text: 'bread' });
  await app.signOut();
});
