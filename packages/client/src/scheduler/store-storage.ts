/**
 * The scheduler's saved state in the client's store, written through the engine's mutex
 * like every other commit. `lastSuccessAt` is the engine's own, committed with the last
 * page of each successful pull, so it can never claim data it does not hold.
 *
 * The state is saved at the start and at the end of every run, so it is kept under four
 * metadata keys, and each save writes only what changed: the small scheduler state, the
 * record of the run under way, the few runs that ended since the history was last
 * written whole, and that history (up to `historySize` records). A run's start writes two
 * small values; its end adds its record to the recent runs, and only every
 * `RECENT_RUNS_LIMIT`th end rewrites the whole history. Stores check and copy every value
 * they commit, so a no-op sync would otherwise spend more on its history than on its pull.
 */
import { isPlainObject, type JsonObject, type JsonValue } from '@ferry/protocol';
import type { EngineContext } from '../engine-context.ts';
import type { Store } from '../store.ts';
import { parseSavedSchedule, type RunRecord, type SavedSchedule } from './history.ts';
import type { ScheduleStorage } from './types.ts';

/** Everything but the runs: attempt, backoff, next run. */
export const SCHEDULE_STATE_KEY = 'schedule.state';
/** The finished runs as last written whole, oldest first. */
export const SCHEDULE_RUNS_KEY = 'schedule.runs';
/** The runs that ended since, oldest first: up to `RECENT_RUNS_LIMIT`. */
export const SCHEDULE_RECENT_KEY = 'schedule.recent';
/** The record of the run under way, if any: `running`, or a run the process did not survive. */
export const SCHEDULE_CURRENT_KEY = 'schedule.current';
/** Where earlier versions kept all of it, in one value; read once, removed on the next save. */
export const LEGACY_SCHEDULE_KEY = 'schedule';

/**
 * Run ends between two writes of the whole history: each end writes the recent runs (at
 * most this many records) instead of the whole history (`historySize`, 50 by default).
 */
export const RECENT_RUNS_LIMIT = 10;

/** The finished runs as committed under `SCHEDULE_RUNS_KEY` and `SCHEDULE_RECENT_KEY`. */
interface WrittenHistory {
  whole: readonly RunRecord[];
  recent: readonly RunRecord[];
}

/** The saved schedule as the store holds it; a run still `running` comes back `interrupted`. */
export async function readSavedSchedule(store: Pick<Store, 'getMeta'>): Promise<SavedSchedule> {
  // Read together: on a store where each read is a transaction, start-up waits for one.
  const [state, runs, recent, current] = await Promise.all([
    store.getMeta(SCHEDULE_STATE_KEY),
    store.getMeta(SCHEDULE_RUNS_KEY),
    store.getMeta(SCHEDULE_RECENT_KEY),
    store.getMeta(SCHEDULE_CURRENT_KEY),
  ]);
  if (state === undefined) return parseSavedSchedule(await store.getMeta(LEGACY_SCHEDULE_KEY));
  const all = [...(Array.isArray(runs) ? runs : []), ...(Array.isArray(recent) ? recent : [])];
  if (current !== undefined) all.push(current);
  return parseSavedSchedule(isPlainObject(state) ? { ...state, runs: all } : undefined);
}

export function createStoreScheduleStorage(
  ctx: Pick<EngineContext, 'store' | 'mutex' | 'ready'>,
): ScheduleStorage {
  // The finished runs as last committed, whole and recent; compared by identity, as the
  // scheduler replaces a record rather than changing it. Unknown until the first save,
  // which writes them and removes the single key of earlier versions.
  let written: WrittenHistory | undefined;
  return {
    load: () =>
      ctx.mutex.run(async () => {
        const local = await ctx.ready;
        const saved = await readSavedSchedule(ctx.store);
        return { lastSuccessAt: local.lastSuccessAt, saved };
      }),
    // No closed-client check: the record of a run cut short by close() is saved on the way out.
    save: (saved) =>
      ctx.mutex.run(async () => {
        const { runs, ...state } = saved;
        const last = runs.at(-1);
        const current = last?.outcome === 'running' ? last : undefined;
        const finished = current ? runs.slice(0, -1) : runs;
        const setMeta: Record<string, JsonValue | undefined> = {
          [SCHEDULE_STATE_KEY]: state as JsonObject,
          [SCHEDULE_CURRENT_KEY]: current as JsonObject | undefined,
        };
        // The first save writes both lists: the store may hold another process's.
        const next = splitHistory(written, finished);
        if (next.whole !== written?.whole) {
          setMeta[SCHEDULE_RUNS_KEY] = next.whole as unknown as JsonValue;
        }
        if (!sameRecords(next.recent, written?.recent)) {
          setMeta[SCHEDULE_RECENT_KEY] = next.recent as unknown as JsonValue;
        }
        if (written === undefined) setMeta[LEGACY_SCHEDULE_KEY] = undefined;
        // Stores copy what they are given, so later changes cannot reach the stored copy.
        await ctx.store.commit({ setMeta });
        written = next;
      }),
  };
}

/**
 * Where the finished runs go: those after the last run of the whole history as written
 * are the recent ones, until there are more than `RECENT_RUNS_LIMIT` of them or the
 * history no longer ends where it was written (the first save, or records replaced), and
 * then all of them are the new whole history. The whole history as written may hold runs
 * that have since fallen out of `historySize`; the scheduler trims them on its next load.
 */
function splitHistory(
  written: WrittenHistory | undefined,
  finished: readonly RunRecord[],
): WrittenHistory {
  const rewrite = { whole: finished, recent: [] };
  if (written === undefined) return rewrite;
  const lastWhole = written.whole.at(-1);
  // An empty whole history: every finished run is recent.
  const start = lastWhole === undefined ? 0 : finished.indexOf(lastWhole) + 1;
  const lost = lastWhole !== undefined && start === 0;
  if (lost || finished.length - start > RECENT_RUNS_LIMIT) return rewrite;
  return { whole: written.whole, recent: finished.slice(start) };
}

function sameRecords(a: readonly RunRecord[], b: readonly RunRecord[] | undefined): boolean {
  return b !== undefined && a.length === b.length && a.every((record, i) => record === b[i]);
}
