/**
 * Fakes of `expo-task-manager`, `expo-background-task` and the task part of
 * `expo-notifications`, following their documentation: `defineTask(name, executor)` keeps
 * the executor, which the OS later calls with `{ data, error, executionInfo }` and whose
 * result it reads; `registerTaskAsync(name, { minimumInterval })` (minutes) and
 * `unregisterTaskAsync(name)`; `addExpirationListener` (iOS) returns `{ remove() }`; the
 * result enums have the documented values. `run(name, data)` plays the OS.
 */
import type { BackgroundTaskLike, NotificationsLike, TaskManagerLike } from '@ferry/react-native';

export function fakeTaskManager() {
  const tasks = new Map<string, (body: { data: unknown }) => Promise<unknown>>();
  const taskManager: TaskManagerLike & {
    run(name: string, data?: unknown): Promise<unknown>;
    defined(): string[];
  } = {
    defineTask(name, task) {
      tasks.set(name, task);
    },
    run(name, data = null) {
      const task = tasks.get(name);
      if (task === undefined) throw new Error(`Task '${name}' is not defined`);
      return task({ data, error: null, executionInfo: { taskName: name, eventId: '1' } } as {
        data: unknown;
      });
    },
    defined: () => [...tasks.keys()],
  };
  return taskManager;
}

export function fakeBackgroundTask(options: { refuse?: boolean } = {}) {
  const registered = new Map<string, { minimumInterval?: number } | undefined>();
  const expirations = new Set<() => void>();
  const backgroundTask: BackgroundTaskLike & {
    registered: typeof registered;
    expire(): void;
    expirationListeners(): number;
  } = {
    async registerTaskAsync(name, taskOptions) {
      if (options.refuse) throw new Error('Background tasks are restricted');
      registered.set(name, taskOptions);
    },
    async unregisterTaskAsync(name) {
      registered.delete(name);
    },
    addExpirationListener(listener) {
      expirations.add(listener);
      return { remove: () => expirations.delete(listener) };
    },
    BackgroundTaskResult: { Success: 1, Failed: 2 },
    registered,
    expire() {
      for (const listener of [...expirations]) listener();
    },
    expirationListeners: () => expirations.size,
  };
  return backgroundTask;
}

export function fakeNotifications() {
  const registered = new Set<string>();
  const notifications: NotificationsLike & { registered: Set<string> } = {
    async registerTaskAsync(name) {
      registered.add(name);
      return null;
    },
    async unregisterTaskAsync(name) {
      registered.delete(name);
    },
    BackgroundNotificationTaskResult: { NewData: 0, NoData: 1, Failed: 2 },
    registered,
  };
  return notifications;
}
