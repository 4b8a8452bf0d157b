/**
 * Whether the local data is known current, the one input of the status's `phase` that the
 * scheduler and the live stream do not report themselves (status.ts):
 *
 * - with the live stream open, from the moment a run that started after it opened
 *   succeeds, or one of its pokes is served (applied, or already held), for as long as it
 *   stays open: a connection that is up tells of every commit;
 * - without it, for `minIntervalMs` after a run succeeds, after which the data is stale;
 * - never once a run fails, or the stream opens anew (until it has caught up) or is lost.
 */
import type { SyncEnvironment } from './scheduler/environment.ts';
import { createTimerSlot } from './scheduler/timer-slot.ts';
import type { StatusHolder } from './status.ts';

export interface Freshness {
  /** Call as a run starts; pass what it returns to `runSucceeded`. */
  runStarted(): number;
  runSucceeded(startedIn: number): void;
  runFailed(): void;
  /** The live stream's state changed. */
  liveChanged(state: 'off' | 'connecting' | 'open' | 'reconnecting'): void;
  /** A poke was served without a run: its changes applied, or already held. */
  pokeServed(): void;
  stop(): void;
}

export function createFreshness(deps: {
  environment: Pick<SyncEnvironment, 'now' | 'setTimeout' | 'clearTimeout'>;
  minIntervalMs: number;
  status: StatusHolder;
}): Freshness {
  const { status } = deps;
  /** Bumped each time the stream opens: a run started before then cannot vouch for it. */
  let connection = 0;
  const expiry = createTimerSlot(deps.environment);
  const set = (current: boolean) => {
    expiry.clear();
    status.update({ current });
    // Without a stream nothing says the data stays current: it goes stale with time.
    if (current && status.get().live === 'off') {
      expiry.set(deps.environment.now() + deps.minIntervalMs, () =>
        status.update({ current: false }),
      );
    }
  };
  return {
    runStarted: () => connection,
    runSucceeded(startedIn) {
      if (startedIn === connection) set(true);
    },
    runFailed: () => set(false),
    liveChanged(state) {
      if (state === 'open') connection += 1;
      if (state === 'off') {
        // A stream stopped on purpose: what was current stays so for a while, as after a run.
        if (status.current) set(true);
        return;
      }
      set(false);
    },
    pokeServed() {
      if (status.get().live === 'open') set(true);
    },
    stop: () => expiry.clear(),
  };
}
