/** The app's Ferry, on the real native modules. Imported by the entry file, once. */
import * as BackgroundTask from 'expo-background-task';
import * as Battery from 'expo-battery';
import * as Network from 'expo-network';
import * as Notifications from 'expo-notifications';
import * as SQLite from 'expo-sqlite';
import Storage from 'expo-sqlite/kv-store';
import * as TaskManager from 'expo-task-manager';
import { AppState } from 'react-native';
import { createFerryApp } from './ferry-app.ts';

/** Where `ferry serve --dev` runs; set EXPO_PUBLIC_FERRY_URL for a phone on the network. */
const SERVER_URL = process.env.EXPO_PUBLIC_FERRY_URL ?? 'http://10.0.2.2:8787';

export const ferryApp = createFerryApp(
  {
    appState: AppState,
    expoNetwork: Network,
    battery: Battery,
    openDatabase: (name) => SQLite.openDatabaseAsync(name),
    storage: Storage,
    taskManager: TaskManager,
    backgroundTask: BackgroundTask,
    notifications: Notifications,
    async devicePushToken() {
      const { granted } = await Notifications.requestPermissionsAsync();
      if (!granted) throw new Error('Notifications are not allowed');
      return Notifications.getDevicePushTokenAsync();
    },
  },
  {
    serverUrl: SERVER_URL,
    onBackgroundReport: (report) => console.log('ferry wake-up', report.outcome),
  },
);

ferryApp.registerWakeUps().then((results) => {
  for (const result of results) {
    if (result.status === 'rejected') console.warn('wake-up not available here', result.reason);
  }
});
