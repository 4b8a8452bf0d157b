/**
 * The app's Ferry setup, in plain TypeScript: the native modules come in as arguments
 * (structural types from @ferry/react-native), so the same code runs on a phone and in Node
 * tests against fakes. native.ts passes the real modules.
 */
import { type ClientOptions, createClient } from '@ferry/client';
import {
  type AppStateLike,
  type BackgroundSyncReport,
  type BackgroundTaskLike,
  createReactNativeEnvironment,
  type ExpoBatteryLike,
  type ExpoNetworkLike,
  type ExpoSqliteDatabase,
  type NotificationsLike,
  openExpoSqliteStore,
  registerBackgroundSync,
  registerPushWakeUps,
  type TaskManagerLike,
} from '@ferry/react-native';
import { type DevicePushTokenLike, deviceRegistration, sendDeviceRequest } from './devices.ts';
import {
  COLLECTIONS,
  type ListsClient,
  type ListsSchema,
  personalSpace,
  type User,
} from './lists.ts';
import type { KeyValueLike, Session } from './session.ts';
import { createSession } from './session.ts';

export interface PhoneModules {
  appState: AppStateLike;
  expoNetwork: ExpoNetworkLike;
  battery?: ExpoBatteryLike;
  /** expo-sqlite's `openDatabaseAsync`. */
  openDatabase(name: string): Promise<ExpoSqliteDatabase>;
  /** expo-sqlite's `kv-store` `Storage`. */
  storage: KeyValueLike;
  taskManager: TaskManagerLike;
  backgroundTask: BackgroundTaskLike;
  notifications: NotificationsLike;
  /** expo-notifications' `getDevicePushTokenAsync`, after permission was granted. */
  devicePushToken(): Promise<DevicePushTokenLike>;
}

export interface FerryAppConfig {
  /** The Ferry server, started with `ferry serve --dev` (tokens are minted for anyone). */
  serverUrl: string;
  fetch?: typeof fetch;
  onBackgroundReport?: (report: BackgroundSyncReport) => void;
}

export const storeName = (user: string) => `ferry-${user}.db`;

export function createFerryApp(modules: PhoneModules, config: FerryAppConfig) {
  const session: Session = createSession(modules.storage, config.serverUrl, config.fetch);
  // One environment for the app: every client of this JavaScript runtime shares it.
  const environment = createReactNativeEnvironment({
    appState: modules.appState,
    expoNetwork: modules.expoNetwork,
    ...(modules.battery ? { battery: modules.battery } : {}),
  });
  let client: ListsClient | null = null;
  // The client does not close its store: the app does, at sign-out.
  let store: ClientOptions['store'] | null = null;

  async function optionsFor(user: User): Promise<ClientOptions> {
    return {
      url: config.serverUrl,
      store: await openExpoSqliteStore(await modules.openDatabase(storeName(user))),
      getToken: session.tokenProvider(user),
      defaultSpace: personalSpace(user),
      collections: COLLECTIONS,
      environment,
      ...(config.fetch ? { fetch: config.fetch } : {}),
    };
  }

  /** A background wake-up's client options: the signed-in user's, or null. */
  async function open(): Promise<ClientOptions | null> {
    const user = await session.user();
    return user === null ? null : optionsFor(user);
  }

  const source = { current: () => client, open };

  return {
    session,
    environment,
    current: () => client,
    /**
     * Registers the OS background task and push wake-ups. Called once, in the entry file's
     * module scope, since the OS may start the app's JavaScript just to run them.
     */
    registerWakeUps() {
      const onReport = config.onBackgroundReport;
      return Promise.allSettled([
        registerBackgroundSync({
          taskManager: modules.taskManager,
          backgroundTask: modules.backgroundTask,
          ...source,
          ...(onReport ? { onReport } : {}),
        }),
        registerPushWakeUps({
          taskManager: modules.taskManager,
          notifications: modules.notifications,
          ...source,
          ...(onReport ? { onReport } : {}),
        }),
      ]);
    },
    /** Opens the screens' client for the signed-in user (live), or returns null. */
    async openClient(): Promise<ListsClient | null> {
      if (client !== null) return client;
      const user = await session.user();
      if (user === null) return null;
      const options = await optionsFor(user);
      store = options.store ?? null;
      client = createClient<ListsSchema>({ ...options, live: true });
      return client;
    },
    /** Sends this phone's push token to the server; 'no-native-push' when it has none. */
    async registerDevice() {
      const user = await session.user();
      if (user === null) return null;
      const registration = deviceRegistration(await modules.devicePushToken());
      if (registration === null) return null;
      return sendDeviceRequest('POST', {
        serverUrl: config.serverUrl,
        getToken: session.tokenProvider(user),
        registration,
        ...(config.fetch ? { fetch: config.fetch } : {}),
      });
    },
    async signOut() {
      const user = await session.user();
      const closing = client;
      client = null;
      if (closing !== null) await closing.close();
      await store?.close();
      store = null;
      if (user !== null) await session.signOut(user);
    },
  };
}

export type FerryApp = ReturnType<typeof createFerryApp>;
