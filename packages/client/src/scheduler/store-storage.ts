/**
 * The scheduler's saved state in the client's store, written through the engine's mutex
 * like every other commit. `lastSuccessAt` is the engine's own, committed with the last
 * page of each successful pull, so it can never claim data it does not hold.
 *
 * The state is saved at the start and at the end of every run, so it is kept under three
 * metadata keys, and each save writes only what changed: the small scheduler state, the
 * record of the run under way, and the history of finished runs (up to `historySize`
 * records), which changes only when a run ends. A run's start is then a write of two
 * small values rather than of the whole history, once per sync.
 */
import { isPlainObject, type JsonObject, type JsonValue } from '@ferry/protocol';
import type { EngineContext } from '../engine-context.ts';
import type { Store } from '../store.ts';
import { parseSavedSchedule, type RunRecord, type SavedSchedule } from './history.ts';
import type { ScheduleStorage } from './types.ts';

/** Everything but the runs: attempt, backoff, next run. */
export const SCHEDULE_STATE_KEY = 'schedule.state';
/** The finished runs, oldest first. */
export const SCHEDULE_RUNS_KEY = 'schedule.runs';
/** The record of the run under way, if any: `running`, or a run the process did not survive. */
export const SCHEDULE_CURRENT_KEY = 'schedule.current';
/** Where earlier versions kept all of it, in one value; read once, removed on the next save. */
export const LEGACY_SCHEDULE_KEY = 'schedule';

/** The saved schedule as the store holds it; a run still `running` comes back `interrupted`. */
export async function readSavedSchedule(store: Pick<Store, 'getMeta'>): Promise<SavedSchedule> {
  // Read together: on a store where each read is a transaction, start-up waits for one.
  const [state, runs, current] = await Promise.all([
    store.getMeta(SCHEDULE_STATE_KEY),
    store.getMeta(SCHEDULE_RUNS_KEY),
    store.getMeta(SCHEDULE_CURRENT_KEY),
  ]);
  if (state === undefined) return parseSavedSchedule(await store.getMeta(LEGACY_SCHEDULE_KEY));
  const all = Array.isArray(runs) ? [...runs] : [];
  if (current !== undefined) all.push(current);
  return parseSavedSchedule(isPlainObject(state) ? { ...state, runs: all } : undefined);
}

export function createStoreScheduleStorage(
  ctx: Pick<EngineContext, 'store' | 'mutex' | 'ready'>,
): ScheduleStorage {
  // The finished runs as last committed; compared by identity, as the scheduler replaces a
  // record rather than changing it. Unknown until the first save, which writes them and
  // removes the single key of earlier versions.
  let writtenRuns: readonly RunRecord[] | undefined;
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
        const firstSave = writtenRuns === undefined;
        const runsChanged = writtenRuns === undefined || !sameRecords(writtenRuns, finished);
        if (runsChanged) setMeta[SCHEDULE_RUNS_KEY] = finished as unknown as JsonValue;
        if (firstSave) setMeta[LEGACY_SCHEDULE_KEY] = undefined;
        // Stores copy what they are given, so later changes cannot reach the stored copy.
        await ctx.store.commit({ setMeta });
        if (runsChanged) writtenRuns = finished;
      }),
  };
}

function sameRecords(a: readonly RunRecord[], b: readonly RunRecord[]): boolean {
  return a.length === b.length && a.every((record, i) => record === b[i]);
}
