/**
 * One background wake-up on a phone (an OS background task, a push): sync once within a
 * time budget, then stop, leaving the outbox and the cursor consistent for next time.
 *
 * - No client open in this JavaScript runtime (the OS launched the app in the background):
 *   a client of the wake-up's own is made from `open()`, with no automatic triggers, no live
 *   stream and the scheduler's run budget (`maxRunDurationMs`) set to what is left of the
 *   wake-up's budget. Its one run pushes the outbox and pulls page by page, each page
 *   committed on its own; at the budget the run is aborted through its signal, the page in
 *   flight is dropped or committed whole, and the client and its store are closed. The next
 *   wake-up resumes from the saved cursor and resends what was not confirmed, which the
 *   server recognises (I1).
 * - The app's own client is open (`current()`, the app is in memory): the wake-up asks it to
 *   sync, so one store never has two engines (I6), and waits at most the budget; that run
 *   goes on under the client's own `maxRunDurationMs` until the OS suspends the app, and a
 *   suspension loses nothing for the same reason.
 *
 * If no run can start within the budget (offline, or the server's Retry-After), the
 * wake-up ends as `waiting`.
 */
import {
  type ClientOptions,
  createClient,
  type FerryClient,
  FerryConfigError,
  type RequestedTrigger,
  type RunRecord,
  type Store,
  type SyncEnvironment,
} from '@ferry/client';

/** iOS gives a background task about 30 seconds; the wake-up stops well before. */
export const DEFAULT_BACKGROUND_BUDGET_MS = 25_000;

export interface BackgroundSyncSource {
  /**
   * The app's client, when one is open in this JavaScript runtime: the wake-up then runs on
   * it. Return null (or leave this out) when none is.
   */
  current?: () => FerryClient | null | undefined;
  /**
   * The options of a client for the wake-up when no client is open: `createClient`'s, with
   * the store opened for it, which is closed after the run; or null when nobody is signed in.
   * `live` and the schedule's `triggers` and `maxRunDurationMs` are set by the wake-up.
   */
  open: () => Promise<ClientOptions | null>;
}

export interface BackgroundRunOptions extends BackgroundSyncSource {
  /** How long the wake-up may take; default 25 000 ms. */
  budgetMs?: number;
  /** Stops the wake-up at once when aborted (the OS expiring the task), its work so far kept. */
  signal?: AbortSignal;
  /**
   * What woke the app, as its run's history records it: `background` (the default) for an
   * OS background task, `push` for a push message. `registerBackgroundSync` and
   * `registerPushWakeUps` set it; an app's own push handler passes `push`.
   */
  trigger?: WakeUpTrigger;
}

/** The triggers a phone's wake-up records. */
export type WakeUpTrigger = Extract<RequestedTrigger, 'background' | 'push'>;

const WAKE_UP_TRIGGERS: readonly WakeUpTrigger[] = ['background', 'push'];

/**
 * - ok: pushed everything and pulled to the end;
 * - budget: stopped at the budget (or by `signal`) with its work so far kept, to go on next time;
 * - waiting: no run could start within the budget (offline, or the server asked to wait);
 * - failed: the run failed (see `run.error`), or opening the client did (see `error`);
 * - signed-out: `open()` returned null: nothing to sync.
 */
export type BackgroundSyncOutcome = 'ok' | 'budget' | 'waiting' | 'failed' | 'signed-out';

export interface BackgroundSyncReport {
  outcome: BackgroundSyncOutcome;
  /** The run the wake-up ended with, when one ended within it. */
  run: RunRecord | null;
  /** What went wrong outside a run (opening the store or the client), when outcome is failed. */
  error?: unknown;
}

interface Timers {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

const globalTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

const timersOf = (environment: SyncEnvironment | undefined): Timers => environment ?? globalTimers;

function outcomeOf(run: RunRecord): BackgroundSyncOutcome {
  if (run.abortReason === 'budget' || run.abortReason === 'closed') return 'budget';
  if (run.outcome === 'success') return 'ok';
  if (run.abortReason === 'conditions') return 'waiting';
  return 'failed';
}

/**
 * Closes the wake-up's store. Everything the run did is committed by then, so a store that
 * fails to close changes nothing about how the wake-up went.
 */
async function closeQuietly(store: Store): Promise<void> {
  try {
    await store.close();
  } catch {
    // Nothing left to lose: every commit has returned.
  }
}

/** Resolves after `delayMs`; `cancel` stops the timer. */
function timer(timers: Timers, delayMs: number) {
  let handle: unknown;
  const reached = new Promise<void>((resolve) => {
    handle = timers.setTimeout(resolve, Math.max(0, delayMs));
  });
  return { reached, cancel: () => timers.clearTimeout(handle) };
}

/** Resolves when `signal` aborts (never without one); `cancel` stops listening. */
function abortOf(signal: AbortSignal | undefined) {
  let cancel = () => {};
  const reached = new Promise<void>((resolve) => {
    if (signal === undefined) return;
    if (signal.aborted) return resolve();
    const onAbort = () => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    cancel = () => signal.removeEventListener('abort', onAbort);
  });
  return { reached, cancel: () => cancel() };
}

/** The wake-up on the app's own client: ask it to sync, wait at most the budget. */
async function runOnCurrent(
  client: FerryClient,
  trigger: WakeUpTrigger,
  budgetMs: number,
  signal: AbortSignal | undefined,
): Promise<BackgroundSyncReport> {
  let last: RunRecord | null = null;
  const stop = client.on('run', (run) => {
    last = run;
  });
  const limit = timer(globalTimers, budgetMs);
  const aborted = abortOf(signal);
  try {
    const settled = await Promise.race([
      client.sync({ trigger }).then(
        () => 'ok' as const,
        () => 'failed' as const,
      ),
      limit.reached.then(() => 'budget' as const),
      aborted.reached.then(() => 'budget' as const),
    ]);
    return { outcome: settled, run: settled === 'budget' ? null : last };
  } finally {
    limit.cancel();
    aborted.cancel();
    stop();
  }
}

/** The wake-up on a client of its own, whose run budget is what is left of the wake-up's. */
async function runOnOwn(
  options: ClientOptions,
  trigger: WakeUpTrigger,
  startedAt: number,
  budgetMs: number,
  signal: AbortSignal | undefined,
): Promise<BackgroundSyncReport> {
  const timers = timersOf(options.environment);
  const remainingMs = Math.max(1, budgetMs - (timers.now() - startedAt));
  let client: FerryClient;
  try {
    client = createClient({
      ...options,
      live: false,
      schedule: { ...options.schedule, triggers: [], maxRunDurationMs: remainingMs },
    });
  } catch (error) {
    await closeQuietly(options.store);
    return { outcome: 'failed', run: null, error };
  }
  let stopListening = () => {};
  const firstRun = new Promise<RunRecord>((resolve) => {
    stopListening = client.on('run', resolve);
  });
  // Its outcome is the run's, read from the run record; a rejection is expected there.
  client.sync({ trigger }).catch(() => {});
  const limit = timer(timers, remainingMs);
  const aborted = abortOf(signal);
  const stopped = aborted.reached.then(() => null);
  try {
    let run = await Promise.race([firstRun, limit.reached.then(() => null), stopped]);
    // The budget is reached with a run under way: the run's own budget timer, set a moment
    // later, stops it with a record of how far it got.
    if (run === null && !signal?.aborted && client.getStatus().state === 'syncing') {
      run = await Promise.race([firstRun, stopped]);
    }
    if (run !== null) return { outcome: outcomeOf(run), run };
    // Stopped by `signal`, or no run could start: closing aborts whatever runs, recorded.
    const closing = client.close();
    run = await Promise.race([firstRun, closing.then(() => null)]);
    return run === null ? { outcome: 'waiting', run: null } : { outcome: 'budget', run };
  } finally {
    limit.cancel();
    aborted.cancel();
    stopListening();
    // Aborts a follow-up run before it sends anything, and waits for stored work.
    await client.close();
    await closeQuietly(options.store);
  }
}

/** Runs one background wake-up; never rejects (a failure is its outcome). */
export async function runBackgroundSync(
  options: BackgroundRunOptions,
): Promise<BackgroundSyncReport> {
  const budgetMs = options.budgetMs ?? DEFAULT_BACKGROUND_BUDGET_MS;
  const trigger = options.trigger ?? 'background';
  if (!WAKE_UP_TRIGGERS.includes(trigger)) {
    const error = new FerryConfigError(
      `runBackgroundSync: trigger ${JSON.stringify(trigger)} is not one of ${WAKE_UP_TRIGGERS.join(', ')}.`,
    );
    return { outcome: 'failed', run: null, error };
  }
  const startedAt = Date.now();
  const current = options.current?.();
  if (current != null && current.getStatus().state !== 'stopped') {
    return runOnCurrent(current, trigger, budgetMs, options.signal);
  }
  let clientOptions: ClientOptions | null;
  try {
    clientOptions = await options.open();
  } catch (error) {
    return { outcome: 'failed', run: null, error };
  }
  if (clientOptions === null) return { outcome: 'signed-out', run: null };
  const timers = timersOf(clientOptions.environment);
  // Measured on the environment's clock from here when it has its own (a test's).
  const started = clientOptions.environment === undefined ? startedAt : timers.now();
  return runOnOwn(clientOptions, trigger, started, budgetMs, options.signal);
}
