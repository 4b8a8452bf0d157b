/**
 * The background scheduler: decides when a sync run starts, and runs one at a time.
 *
 * - Triggers (start, online, interval, visible, poke, local-change, and the requested
 *   background, push and manual) ask for a run. Those that only offer an opportunity
 *   (start, online, interval, visible) run only when the data is due: never synced, an
 *   unfinished run, or `minIntervalMs` since the last success. A requested run (a
 *   `sync()` call, whatever trigger it names: the app's own, or a runtime's background or
 *   push wake-up) and a local change with unsent mutations run regardless, and so does
 *   a poke, unless the client already holds every change it announced (`pokeWanted`):
 *   checked again when a run ends, so the poke of a commit the run brought back is dropped.
 * - A local change runs at once when no run is in flight, and in the run right after the
 *   one in flight otherwise, so writes made meanwhile go together; with
 *   `localChangeDelayMs` it waits for that much quiet instead (at most ten delays).
 * - A run starts only when its constraints are met; losing one midway aborts the run (its
 *   committed pages stay) and it resumes when they are met again.
 * - Failures back off exponentially with jitter, never sooner than a Retry-After; a
 *   requested run, the conditions met again (the network is back) and `resetBackoff()`
 *   (the server is reachable again) skip the rest of a backoff (never a Retry-After). A
 *   failure that retrying cannot fix puts the scheduler in `error` until a requested run,
 *   a local write or a restart.
 * - A run requested while a condition is not met (no network) is refused at once with
 *   `FerryConditionsError`, as are those a run lost its conditions under, instead of
 *   waiting for the network; the run they asked for still happens once it is back.
 * - Triggers arriving during a run fold into at most one follow-up run. A requested run
 *   joins the run in flight instead when that run pushes the last local write and pulls
 *   after it (or has not started its work yet): `put(); sync()` costs one run, not two.
 * - Each run is recorded (start and end) in the store, with the attempt count and backoff,
 *   so all of it survives a restart.
 *
 * Everything time-related goes through the injected environment; nothing here reads a
 * global, so the simulated environment of `@ferry/testing` drives it completely.
 */
import { FerryConditionsError } from '../errors.ts';
import { errorFields } from '../logger.ts';
import {
  type ActiveRun,
  abortRun,
  createActiveRun,
  joinRun,
  pushCarries,
  runRecord,
  settleWaiters,
  type Waiter,
} from './active-run.ts';
import { capabilitiesOf, unmetConstraint, type WaitingFor } from './environment.ts';
import {
  EMPTY_SCHEDULE,
  type RunError,
  type RunRecord,
  restoreAfterRestart,
  type SavedSchedule,
} from './history.ts';
import { LOCAL_CHANGE_MAX_DELAYS, MAX_RETRY_AFTER_MS } from './options.ts';
import { decideRunEnd, type RunEnd, type RunOutcomeInput } from './run-end.ts';
import { createStatusMachine, type SchedulerEvent } from './status-machine.ts';
import { createTimerSlot, MAX_TIMER_DELAY_MS } from './timer-slot.ts';
import {
  isRequestedTrigger,
  type RequestedTrigger,
  sortTriggers,
  type Trigger,
} from './triggers.ts';
import type { Scheduler, SchedulerDeps, SchedulerStatus } from './types.ts';

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { environment: env, options, logger } = deps;
  const machine = createStatusMachine();
  let loaded = false;
  let stopped = false;
  let lastSuccessAt: number | null = null;
  let saved: SavedSchedule = { ...EMPTY_SCHEDULE, runs: [] };
  let lastError: RunError | null = null;
  let waitingFor: WaitingFor | null = null;
  /** Triggers waiting for the next run. */
  const wanted = new Set<Trigger>();
  /** A requested run, regained conditions or a reachable server since the last run start: they cut a backoff short. */
  let backoffCut = false;
  const waiters: Waiter[] = [];
  let running: ActiveRun | null = null;
  const wakeTimer = createTimerSlot(env);
  const debounce = createTimerSlot(env);
  /** When the first local write of the current debounce was made. */
  let debounceFirstAt: number | null = null;
  let conditionsMet = true;
  let visible = true;
  let unwatch = (): void => {};

  const move = (event: SchedulerEvent) => machine.can(event) && machine.send(event);

  const isDue = (now: number) =>
    saved.incomplete || lastSuccessAt === null || now - lastSuccessAt >= options.minIntervalMs;

  function wants(trigger: Trigger): boolean {
    if (!loaded) return true;
    const pending = trigger === 'local-change' && deps.hasPendingMutations();
    // A requested run always runs: its caller waits for it, even in `error`.
    if (isRequestedTrigger(trigger) || pending) return true;
    if (machine.state === 'error') return false;
    if (trigger === 'poke') return deps.pokeWanted();
    return isDue(env.now());
  }

  const refilterWanted = () => {
    for (const trigger of wanted) if (!wants(trigger)) wanted.delete(trigger);
  };

  function nextRunAt(): number | null {
    const state = machine.state;
    if (state === 'syncing' || state === 'waiting' || state === 'stopped') return null;
    const times = [wakeTimer.at, debounce.at].filter((t): t is number => t !== null);
    return times.length === 0 ? null : Math.min(...times);
  }

  function status(): SchedulerStatus {
    return {
      state: machine.state,
      nextRunAt: nextRunAt(),
      attempt: saved.attempt,
      waitingFor: machine.state === 'waiting' ? waitingFor : null,
      lastError,
      lastSuccessAt,
    };
  }

  // Before the saved state is loaded there is nothing true to say (lastSuccessAt unknown).
  const publish = () => {
    if (loaded || stopped) deps.onStatus(status());
  };
  const snapshot = (): SavedSchedule => ({ ...saved, nextRunAt: nextRunAt() });

  function wake(trigger: Trigger) {
    if (stopped) return;
    if ((isRequestedTrigger(trigger) || options.triggers.has(trigger)) && wants(trigger)) {
      if (running?.joinable) joinRun(running, trigger);
      else wanted.add(trigger);
    }
    evaluate();
  }

  /** The time before which no run may start, or null. */
  function blockedUntil(now: number): number | null {
    if (saved.retryAfterUntil !== null && saved.retryAfterUntil > now) return saved.retryAfterUntil;
    if (saved.backoffUntil !== null && saved.backoffUntil > now && !backoffCut) {
      return saved.backoffUntil;
    }
    return null;
  }

  /** The one place that decides whether a run starts now; otherwise it plans the next wake-up. */
  function evaluate(): void {
    // Stopped, it plans nothing, but still shows how the last run ended.
    if (!stopped && loaded && running === null && planNext()) startRun(env.now());
    publish();
  }

  /** Moves the status and arms the wake-up timer; returns true when a run should start now. */
  function planNext(): boolean {
    wakeTimer.clear();
    const now = env.now();
    waitingFor = unmetConstraint(env.conditions(), options);
    if (waitingFor !== null) {
      move('lose-conditions');
      // `sync()` calls are told now; the run they asked for waits in `wanted`.
      const refused = new FerryConditionsError(waitingFor);
      for (const waiter of waiters.splice(0)) waiter.reject(refused);
      return false;
    }
    move('regain-conditions');
    const until = blockedUntil(now);
    if (until !== null) {
      move('back-off');
      wakeTimer.set(until, evaluate);
      return false;
    }
    move('backoff-elapsed');
    // A trigger that waited may want no run any more: a poke whose changes arrived meanwhile.
    refilterWanted();
    if (wanted.size === 0 && machine.state !== 'error' && options.triggers.has('interval')) {
      if (isDue(now)) wanted.add('interval');
      else wakeTimer.set((lastSuccessAt ?? now) + options.minIntervalMs, () => wake('interval'));
    }
    return wanted.size > 0;
  }

  function startRun(now: number) {
    const run = createActiveRun(saved.nextRunId, sortTriggers(wanted), now);
    wanted.clear();
    backoffCut = false;
    run.waiters.push(...waiters.splice(0));
    move('start-run');
    saved = {
      ...saved,
      nextRunId: saved.nextRunId + 1,
      incomplete: true,
      runs: [...saved.runs, runRecord(run, { endedAt: null, outcome: 'running' })].slice(
        -options.historySize,
      ),
    };
    run.budgetTimer = env.setTimeout(
      () => abortRun(run, 'budget', options.maxRunDurationMs),
      Math.min(options.maxRunDurationMs, MAX_TIMER_DELAY_MS),
    );
    running = run;
    run.done = execute(run);
    publish();
  }

  /** What the `sync()` calls a run served are rejected with. */
  function waiterError(end: RunEnd): unknown {
    switch (end.waiters) {
      case 'closed':
        return deps.closedError();
      case 'unmet':
        return new FerryConditionsError(unmetConstraint(env.conditions(), options) ?? 'network');
      default:
        return end.error;
    }
  }

  async function execute(run: ActiveRun): Promise<void> {
    let outcome: RunOutcomeInput;
    try {
      await deps.storage.save(snapshot());
      run.joinable = false;
      const success = await deps.run(run.context);
      outcome = { ok: true, lastSuccessAt: success.lastSuccessAt };
    } catch (error) {
      outcome = { ok: false, error };
    }
    run.joinable = false;
    env.clearTimeout(run.budgetTimer);
    const end = decideRunEnd({ saved, run, outcome, now: env.now(), options, random: env.random });
    const record = end.record;
    saved = { ...end.saved, runs: saved.runs.map((r) => (r.id === record.id ? record : r)) };
    if (end.lastSuccessAt !== undefined) lastSuccessAt = end.lastSuccessAt;
    if (end.lastError !== undefined) lastError = end.lastError;
    if (end.event !== null) move(end.event);
    if (end.carryTriggers) for (const trigger of run.context.triggers) wanted.add(trigger);
    if (record.outcome === 'failed') logger.warn({ ...record.error }, 'sync run failed');
    refilterWanted();
    try {
      await deps.storage.save(snapshot());
    } catch (error) {
      logger.error(errorFields(error), 'could not save the sync schedule');
    }
    // Taken only now: a sync() whose writes the run pushed may join it while the schedule
    // is being saved, and must be answered with the others.
    const late = run.lateWaiters.splice(0);
    if (late.length > 0 && (end.waiters === 'reject' || end.waiters === 'carry')) {
      // Joined late, they asked for no more than this run's success: the next run serves
      // them now, as it would have had they not joined.
      waiters.push(...late);
      for (const waiter of late) wanted.add(waiter.trigger);
      backoffCut = true;
    } else run.waiters.push(...late);
    if (end.waiters === 'carry') waiters.unshift(...run.waiters);
    running = null;
    if (end.waiters !== 'carry') {
      settleWaiters(run, end.waiters === 'resolve' ? { record } : { error: waiterError(end) });
    }
    // Planned before the run is reported, so listeners see the next run time it led to.
    evaluate();
    deps.onRunEnd(record);
  }

  function onConditionsChanged() {
    if (stopped) return;
    const conditions = env.conditions();
    const met = unmetConstraint(conditions, options) === null;
    const nowVisible = conditions.visible !== false;
    const regained = met && !conditionsMet;
    const shown = nowVisible && !visible;
    conditionsMet = met;
    visible = nowVisible;
    if (!met && running !== null) abortRun(running, 'conditions', options.maxRunDurationMs);
    // What failed while the network was going away deserves a try as soon as it is back.
    if (regained) backoffCut = true;
    if (regained) wake('online');
    if (shown) wake('visible');
    if (!regained && !shown) evaluate();
  }

  function localChange() {
    if (stopped || !options.triggers.has('local-change')) return;
    if (options.localChangeDelayMs === 0) return wake('local-change');
    const now = env.now();
    debounceFirstAt ??= now;
    const maxAt = debounceFirstAt + LOCAL_CHANGE_MAX_DELAYS * options.localChangeDelayMs;
    debounce.set(Math.min(now + options.localChangeDelayMs, maxAt), () => {
      debounceFirstAt = null;
      wake('local-change');
    });
    publish();
  }

  return {
    async start() {
      if (loaded || stopped) return;
      try {
        const state = await deps.storage.load();
        lastSuccessAt = state.lastSuccessAt;
        saved = restoreAfterRestart(state.saved, env.now(), {
          maxDelayMs: Math.max(options.backoffMaxDelayMs, MAX_RETRY_AFTER_MS),
          historySize: options.historySize,
        });
      } catch (error) {
        logger.error(errorFields(error), 'could not load the sync schedule; starting afresh');
      }
      if (stopped) return;
      loaded = true;
      const conditions = env.conditions();
      conditionsMet = unmetConstraint(conditions, options) === null;
      visible = conditions.visible !== false;
      unwatch = env.watch(onConditionsChanged);
      refilterWanted();
      wake('start');
    },
    trigger(trigger) {
      if (trigger === 'local-change') localChange();
      else wake(trigger);
    },
    requestRun(trigger: RequestedTrigger = 'manual') {
      if (stopped) return Promise.reject(deps.closedError());
      return new Promise<RunRecord>((resolve, reject) => {
        const waiter: Waiter = { trigger, resolve, reject };
        if (running?.joinable) running.waiters.push(waiter);
        else if (running !== null && pushCarries(running, deps.lastMutationId())) {
          // The run in flight pushes what the caller wrote and then pulls: no second run.
          running.lateWaiters.push(waiter);
          joinRun(running, trigger);
          return publish();
        } else {
          waiters.push(waiter);
          backoffCut = true;
        }
        wake(trigger);
      });
    },
    resetBackoff() {
      if (stopped || running !== null) return;
      if (saved.backoffUntil === null || saved.backoffUntil <= env.now()) return;
      backoffCut = true;
      evaluate();
    },
    dataCurrent(at) {
      if (stopped || (lastSuccessAt !== null && at <= lastSuccessAt)) return;
      lastSuccessAt = at;
      // The data is fresh from now: the interval's wake-up moves, and a waiting poke may go.
      if (running === null) evaluate();
      else publish();
    },
    status,
    history: () => [...saved.runs],
    capabilities: () => capabilitiesOf(env.signals, deps.pokes),
    async stop() {
      if (!stopped) {
        stopped = true;
        unwatch();
        wakeTimer.clear();
        debounce.clear();
        wanted.clear();
        move('close');
        const error = deps.closedError();
        for (const waiter of waiters.splice(0)) waiter.reject(error);
        if (running !== null) abortRun(running, 'closed', options.maxRunDurationMs);
        publish();
      }
      await running?.done;
    },
  };
}
