/**
 * Push wake-ups: a data message (FCM on Android, a background notification with
 * `content-available` on APNs) that tells the app new data is waiting makes it sync, as a
 * Web Push poke does a PWA's service worker.
 *
 * `registerPushWakeUps` defines a task with `expo-task-manager` and hands it to
 * `expo-notifications`' `registerTaskAsync`, which runs it for every notification received,
 * in the foreground, in the background, or with the app not running. A message whose data
 * is a Ferry poke (`isFerryPush`) runs one `runBackgroundSync` wake-up, its run recorded
 * with the `push` trigger; any other is left to the app. Ferry shows nothing: the messages
 * it reacts to carry data only, and `onReport` is where an app that wants a visible
 * notification schedules one itself. An app that
 * receives pushes another way (its own FCM or APNs handler) calls `isFerryPush` and
 * `runBackgroundSync({ …, trigger: 'push' })` from that handler.
 */
import {
  type BackgroundRunOptions,
  type BackgroundSyncReport,
  runBackgroundSync,
} from './background-run.ts';
import { type TaskManagerLike, tell } from './background-task.ts';

export const DEFAULT_PUSH_TASK_NAME = 'ferry-push-wake-up';

/** The parts of `expo-notifications` used here (`import * as Notifications from 'expo-notifications'`). */
export interface NotificationsLike {
  registerTaskAsync(taskName: string): Promise<unknown>;
  unregisterTaskAsync(taskName: string): Promise<unknown>;
  readonly BackgroundNotificationTaskResult: {
    readonly NewData: number;
    readonly NoData: number;
    readonly Failed: number;
  };
}

export interface PushWakeUpOptions extends Omit<BackgroundRunOptions, 'signal' | 'trigger'> {
  taskManager: TaskManagerLike;
  notifications: NotificationsLike;
  /** Default `ferry-push-wake-up`. */
  taskName?: string;
  /** Which messages are Ferry's; default `isFerryPush`. */
  isFerryPush?: (data: Readonly<Record<string, unknown>>) => boolean;
  /** Told how each wake-up went, for the app's log or a notification of its own. */
  onReport?: (report: BackgroundSyncReport) => void;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The data of a received message as one object: `expo-notifications` gives a background
 * task `{ data: { dataString?, …keys } }`, with the payload as a JSON string in
 * `dataString` on Android, and a `NotificationResponse` (`actionIdentifier`) when the user
 * acted on a notification, which is not a data message.
 */
export function pushData(payload: unknown): Record<string, unknown> | null {
  if (!isObject(payload) || 'actionIdentifier' in payload) return null;
  const data = payload.data;
  if (!isObject(data)) return null;
  const { dataString, ...rest } = data;
  if (typeof dataString !== 'string') return rest;
  try {
    const parsed: unknown = JSON.parse(dataString);
    return isObject(parsed) ? { ...rest, ...parsed } : rest;
  } catch {
    return rest;
  }
}

/** A Ferry wake-up message: its data has `ferry: "poke"` (and may have the server's `version`). */
export function isFerryPush(data: Readonly<Record<string, unknown>>): boolean {
  return data.ferry === 'poke';
}

/**
 * Defines the push task at once and registers it with `expo-notifications`; call it in the
 * module scope of the app's entry file.
 */
export async function registerPushWakeUps(options: PushWakeUpOptions): Promise<void> {
  const name = options.taskName ?? DEFAULT_PUSH_TASK_NAME;
  const accept = options.isFerryPush ?? isFerryPush;
  const result = options.notifications.BackgroundNotificationTaskResult;
  options.taskManager.defineTask(name, async ({ data: payload }) => {
    const data = pushData(payload);
    if (data === null || !accept(data)) return result.NoData;
    try {
      const report = await runBackgroundSync({ ...options, trigger: 'push' });
      tell(options.onReport, report);
      if (report.outcome === 'failed') return result.Failed;
      return (report.run?.pulled ?? 0) > 0 ? result.NewData : result.NoData;
    } catch {
      return result.Failed;
    }
  });
  await options.notifications.registerTaskAsync(name);
}

/** Unregisters the push task (at sign-out). */
export async function unregisterPushWakeUps(
  notifications: Pick<NotificationsLike, 'unregisterTaskAsync'>,
  taskName: string = DEFAULT_PUSH_TASK_NAME,
): Promise<void> {
  await notifications.unregisterTaskAsync(taskName);
}
