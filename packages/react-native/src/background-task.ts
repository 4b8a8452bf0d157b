/**
 * OS background work through `expo-background-task`: WorkManager on Android, and
 * BGTaskScheduler on iOS. `registerBackgroundSync` defines the task with
 * `expo-task-manager`'s `defineTask` (it must run in the module scope of the app's entry
 * file, at every launch, since the OS may launch the app in the background just to run it)
 * and registers it with `registerTaskAsync(name, { minimumInterval })`, which the OS keeps
 * across restarts and reboots. Each run of the task is one `runBackgroundSync` wake-up
 * within its budget, recorded with the `background` trigger, answered with `BackgroundTaskResult.Success`, or `Failed` when the run
 * failed; on iOS, the task's expiry (`addExpirationListener`) stops the wake-up at once.
 */
import {
  type BackgroundRunOptions,
  type BackgroundSyncReport,
  runBackgroundSync,
} from './background-run.ts';

export const DEFAULT_BACKGROUND_TASK_NAME = 'ferry-background-sync';

/** Android runs periodic work at most every 15 minutes; iOS decides for itself. */
export const MIN_BACKGROUND_INTERVAL_MS = 15 * 60_000;

/** The parts of `expo-task-manager` used here (`import * as TaskManager from 'expo-task-manager'`). */
export interface TaskManagerLike {
  defineTask(taskName: string, task: (body: { data: unknown }) => Promise<unknown>): void;
}

/** The parts of `expo-background-task` used here (`import * as BackgroundTask from 'expo-background-task'`). */
export interface BackgroundTaskLike {
  /** `minimumInterval` is in minutes. */
  registerTaskAsync(taskName: string, options?: { minimumInterval?: number }): Promise<void>;
  unregisterTaskAsync(taskName: string): Promise<void>;
  /** iOS only: the system is about to stop the task. */
  addExpirationListener?(listener: () => void): { remove(): void };
  readonly BackgroundTaskResult: { readonly Success: number; readonly Failed: number };
}

export interface BackgroundSyncOptions extends Omit<BackgroundRunOptions, 'signal' | 'trigger'> {
  taskManager: TaskManagerLike;
  backgroundTask: BackgroundTaskLike;
  /** Default `ferry-background-sync`. */
  taskName?: string;
  /**
   * The shortest time between two runs the OS is asked for; default and least 15 minutes
   * (a shorter one is raised to it). The OS treats it as a minimum and picks the moment.
   */
  minimumIntervalMs?: number;
  /** Told how each wake-up went, for the app's own log. */
  onReport?: (report: BackgroundSyncReport) => void;
}

/** Calls the app's report listener; what it throws is its own business, not the task's. */
export function tell(
  listener: ((report: BackgroundSyncReport) => void) | undefined,
  report: BackgroundSyncReport,
): void {
  try {
    listener?.(report);
  } catch {
    // The wake-up's result does not depend on the app's logging.
  }
}

/**
 * Defines the background task at once and registers it with the OS; call it in the module
 * scope of the app's entry file. Rejects if the OS refuses the registration (background
 * tasks restricted, or Expo Go); the task stays defined either way.
 */
export async function registerBackgroundSync(options: BackgroundSyncOptions): Promise<void> {
  const name = options.taskName ?? DEFAULT_BACKGROUND_TASK_NAME;
  const { backgroundTask } = options;
  const result = backgroundTask.BackgroundTaskResult;
  options.taskManager.defineTask(name, async () => {
    const expiry = new AbortController();
    const subscription = backgroundTask.addExpirationListener?.(() => expiry.abort());
    try {
      const report = await runBackgroundSync({
        ...options,
        signal: expiry.signal,
        trigger: 'background',
      });
      tell(options.onReport, report);
      return report.outcome === 'failed' ? result.Failed : result.Success;
    } catch {
      return result.Failed;
    } finally {
      subscription?.remove();
    }
  });
  const intervalMs = Math.max(MIN_BACKGROUND_INTERVAL_MS, options.minimumIntervalMs ?? 0);
  await backgroundTask.registerTaskAsync(name, { minimumInterval: Math.ceil(intervalMs / 60_000) });
}

/** Unregisters the background task (at sign-out); the OS stops running it. */
export function unregisterBackgroundSync(
  backgroundTask: Pick<BackgroundTaskLike, 'unregisterTaskAsync'>,
  taskName: string = DEFAULT_BACKGROUND_TASK_NAME,
): Promise<void> {
  return backgroundTask.unregisterTaskAsync(taskName);
}
