/**
 * The scheduler's saved state in the client's store: one metadata key, written through the
 * engine's mutex like every other commit. `lastSuccessAt` is the engine's own, committed
 * with the last page of each successful pull, so it can never claim data it does not hold.
 */
import type { EngineContext } from '../engine-context.ts';
import { parseSavedSchedule, serializeSchedule } from './history.ts';
import type { ScheduleStorage } from './types.ts';

export const SCHEDULE_META_KEY = 'schedule';

export function createStoreScheduleStorage(
  ctx: Pick<EngineContext, 'store' | 'mutex' | 'ready'>,
): ScheduleStorage {
  return {
    load: () =>
      ctx.mutex.run(async () => {
        const local = await ctx.ready;
        const saved = parseSavedSchedule(await ctx.store.getMeta(SCHEDULE_META_KEY));
        return { lastSuccessAt: local.lastSuccessAt, saved };
      }),
    // No closed-client check: the record of a run cut short by close() is saved on the way out.
    save: (saved) =>
      ctx.mutex.run(() =>
        ctx.store.commit({ setMeta: { [SCHEDULE_META_KEY]: serializeSchedule(saved) } }),
      ),
  };
}
