/**
 * The system under test of the scheduler's model-based test: the scheduler in a simulated
 * environment, a fake engine whose runs follow a script (duration, outcome, progress), and
 * the checks of the scheduler's promises, made as things happen:
 *
 * - never two runs at once, and never a run without its conditions;
 * - losing a condition aborts the run under way at once;
 * - after a retryable failure, no run before the server's Retry-After (not even a manual
 *   one), no run before the backoff's lower bound unless a manual sync, regained conditions
 *   or a reachable server (`resetBackoff`) came after the failed run started, and the retry
 *   no later than the backoff's upper bound when the conditions allowed it all along;
 * - a manual sync asked for while the conditions are not met settles at once, refused
 *   with `FerryConditionsError`;
 * - after a failure retrying cannot fix, only a manual sync, a local write or a restart
 *   starts a run;
 * - a poke the client already holds (`pokeWanted` false) is no reason for a run;
 * - the status agrees with what is happening (syncing, waiting, attempt count).
 */
import type { Simulation } from '@ferry/testing';
import {
  FerryConditionsError,
  FerryHttpError,
  FerryNetworkError,
  FerryProtocolError,
} from '../../src/errors.ts';
import type { RunRecord } from '../../src/scheduler/history.ts';
import type { ScheduleOptions } from '../../src/scheduler/options.ts';
import { type FakeRun, type SchedulerHarness, schedulerHarness } from './scheduler-harness.ts';

export type Outcome =
  | { kind: 'success' }
  | { kind: 'network' }
  | { kind: 'http'; status: 429 | 503 | 500; retryAfterSeconds: number | null }
  | { kind: 'fatal'; status: 400 | 401 | 403 }
  | { kind: 'protocol' };

export interface ScriptedRun {
  durationMs: number;
  outcome: Outcome;
  /** Commit a page halfway through. */
  progress: boolean;
}

export const MODEL_SCHEDULE = {
  minIntervalMs: 20_000,
  localChangeDelayMs: 500,
  maxRunDurationMs: 5_000,
  backoffInitialDelayMs: 1_000,
  backoffMaxDelayMs: 8_000,
  historySize: 1_000,
} satisfies ScheduleOptions;

const DEFAULT_RUN: ScriptedRun = { durationMs: 100, outcome: { kind: 'success' }, progress: true };

function errorFor(outcome: Outcome): unknown {
  const url = 'https://ferry.test/v1/pull';
  switch (outcome.kind) {
    case 'success':
      return undefined;
    case 'network':
      return new FerryNetworkError({ method: 'POST', url, aborted: false, cause: new Error('x') });
    case 'http':
    case 'fatal':
      return new FerryHttpError({
        code: undefined,
        status: outcome.status,
        serverMessage: 'scripted',
        method: 'POST',
        url,
        retryAfterSeconds:
          outcome.kind === 'http' ? (outcome.retryAfterSeconds ?? undefined) : undefined,
      });
    case 'protocol':
      return new FerryProtocolError(url, 'scripted');
  }
}

const retryable = (outcome: Outcome | undefined) =>
  outcome?.kind === 'network' || outcome?.kind === 'http';

export class SchedulerModel {
  h: SchedulerHarness;
  readonly violations: string[] = [];
  readonly script: ScriptedRun[] = [];
  readonly scriptedById = new Map<number, ScriptedRun>();
  readonly startSeq = new Map<number, number>();
  seq = 0;
  lastManualSeq = -1;
  /** The last event that cut a backoff short besides a manual sync: conditions met again, a reachable server. */
  lastCutSeq = -1;
  /** Manual syncs asked for while the conditions were not met, and whether each has settled. */
  readonly refusedManuals: Array<{ settled: boolean; error: unknown }> = [];
  /** A restart clears the error state (errors are not saved): a restarted client tries again. */
  lastRestartSeq = -1;
  /** When the conditions last went from unmet to met (−∞ while they never were unmet). */
  lastMetAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly sim: Simulation,
    readonly schedule: ScheduleOptions,
  ) {
    this.h = this.#open();
  }

  #open(): SchedulerHarness {
    return schedulerHarness({
      sim: this.sim,
      schedule: this.schedule,
      onRun: (run) => this.#onRun(run),
    });
  }

  conditionsMet(): boolean {
    const c = this.sim.conditions;
    return (
      c.online &&
      !(this.schedule.requireUnmetered && c.metered) &&
      !(this.schedule.requireBatteryNotLow && c.lowBattery)
    );
  }

  /** Runs with an outcome, oldest first (across restarts: read from the saved history). */
  #decisive(excludeId: number): RunRecord[] {
    return this.h.storage.saved.runs.filter(
      (r) => r.id !== excludeId && (r.outcome === 'success' || r.outcome === 'failed'),
    );
  }

  /** The last decisive run if it failed, with its backoff bounds. */
  #lastFailure(excludeId: number) {
    const decisive = this.#decisive(excludeId);
    const last = decisive.at(-1);
    if (last?.outcome !== 'failed' || last.endedAt === null) return undefined;
    let attempt = 0;
    for (let i = decisive.length - 1; i >= 0 && decisive[i]!.outcome === 'failed'; i--) attempt++;
    const scripted = this.scriptedById.get(last.id)?.outcome;
    const budget = last.abortReason === 'budget';
    // A run cut by its budget failed of that, whatever its script would have answered later.
    const retryAfterMs =
      !budget && scripted?.kind === 'http' && scripted.retryAfterSeconds !== null
        ? scripted.retryAfterSeconds * 1000
        : 0;
    const { backoffInitialDelayMs: initial, backoffMaxDelayMs: max } = MODEL_SCHEDULE;
    const ceiling = Math.min(max, initial * 2 ** (attempt - 1));
    return {
      record: last,
      attempt,
      retryable: budget || retryable(scripted),
      fatal: !budget && !retryable(scripted),
      retryAfterMs,
      earliest: last.endedAt + Math.max(Math.floor(ceiling / 2), retryAfterMs),
      latest: last.endedAt + Math.max(ceiling, retryAfterMs),
      /** Runs started since, other than `excludeId`. */
      later: this.h.storage.saved.runs.filter((r) => r.id > last.id && r.id !== excludeId).length,
    };
  }

  #violate(message: string) {
    this.violations.push(`${this.sim.now()}: ${message}`);
  }

  #onRun(run: FakeRun) {
    const id = run.context.id;
    this.startSeq.set(id, this.seq++);
    if (this.h.active().length > 1) this.#violate(`run ${id} started while another ran`);
    if (!this.conditionsMet() && !run.context.signal.aborted) {
      this.#violate(`run ${id} started without its conditions`);
    }
    const triggers = run.context.triggers;
    if (!this.h.pokeWanted.value && triggers.length === 1 && triggers[0] === 'poke') {
      this.#violate(`run ${id} started for a poke the client already held`);
    }
    const failure = this.#lastFailure(id);
    const now = this.sim.now();
    if (failure?.retryable) {
      const { record } = failure;
      const cut = Math.max(this.lastManualSeq, this.lastCutSeq);
      const manualAfter = cut > (this.startSeq.get(record.id) ?? -1);
      if (now < record.endedAt! + failure.retryAfterMs) {
        this.#violate(`run ${id} started before Retry-After of run ${record.id}`);
      }
      if (!manualAfter && now < failure.earliest) {
        this.#violate(
          `run ${id} started before the backoff of run ${record.id} (${failure.earliest})`,
        );
      }
      if (failure.later === 0 && this.lastMetAt <= record.endedAt! && now > failure.latest) {
        this.#violate(`run ${id} retried run ${record.id} late (by ${failure.latest})`);
      }
    } else if (
      failure !== undefined &&
      this.lastRestartSeq < (this.startSeq.get(failure.record.id) ?? -1)
    ) {
      const t = run.context.triggers;
      if (!t.includes('manual') && !t.includes('local-change') && !t.includes('start')) {
        this.#violate(`run ${id} (${t.join()}) started in the error state`);
      }
    }
    const scripted = this.script.shift() ?? DEFAULT_RUN;
    this.scriptedById.set(id, scripted);
    const env = this.sim.environment;
    if (scripted.progress) env.setTimeout(() => run.progress(), scripted.durationMs / 2);
    env.setTimeout(() => {
      const error = errorFor(scripted.outcome);
      if (error === undefined) run.succeed();
      else run.fail(error);
    }, scripted.durationMs);
  }

  /** Checks made between commands, once everything has settled. */
  checkQuiet() {
    for (const manual of this.refusedManuals.splice(0)) {
      if (!manual.settled) this.#violate('a manual sync asked for offline did not settle at once');
      else if (!(manual.error instanceof FerryConditionsError)) {
        this.#violate(`a manual sync asked for offline settled with ${String(manual.error)}`);
      }
    }
    const status = this.h.scheduler.status();
    const active = this.h.active().length;
    if ((status.state === 'syncing') !== (active === 1)) {
      this.#violate(`state ${status.state} with ${active} run(s) under way`);
    }
    if (!this.conditionsMet() && !['waiting', 'error'].includes(status.state)) {
      this.#violate(`state ${status.state} while the conditions are not met`);
    }
    if (status.state === 'waiting' && this.conditionsMet()) {
      this.#violate('waiting while the conditions are met');
    }
    const failure = this.#lastFailure(-1);
    const expectedAttempt = failure?.attempt ?? 0;
    if (status.attempt !== expectedAttempt) {
      this.#violate(`attempt ${status.attempt}, expected ${expectedAttempt}`);
    }
    if (
      failure?.retryable &&
      failure.later === 0 &&
      this.lastMetAt <= failure.record.endedAt! &&
      this.conditionsMet() &&
      this.sim.now() > failure.latest
    ) {
      this.#violate(`run ${failure.record.id} not retried by ${failure.latest}`);
    }
  }

  setConditions(change: () => void) {
    const before = this.conditionsMet();
    change();
    const after = this.conditionsMet();
    if (!before && after) {
      this.lastMetAt = this.sim.now();
      this.lastCutSeq = this.seq++;
    }
    if (before && !after) this.lastMetAt = Number.POSITIVE_INFINITY;
    const running = this.h.active()[0];
    if (!after && running !== undefined && !running.context.signal.aborted) {
      this.#violate(`run ${running.context.id} not aborted when its conditions were lost`);
    }
  }

  /** The client comes to hold what the pokes announced (false), or a new poke says more (true). */
  setPokeWanted(value: boolean) {
    this.h.pokeWanted.value = value;
  }

  manual() {
    this.lastManualSeq = this.seq++;
    const request = this.h.scheduler.requestRun();
    if (this.conditionsMet()) {
      request.catch(() => {});
      return;
    }
    const manual = { settled: false, error: undefined as unknown };
    this.refusedManuals.push(manual);
    request.then(
      () => Object.assign(manual, { settled: true }),
      (error: unknown) => Object.assign(manual, { settled: true, error }),
    );
  }

  /** The live stream opened: the server is reachable, a backoff may be cut short. */
  serverReachable() {
    this.lastCutSeq = this.seq++;
    this.h.scheduler.resetBackoff();
  }

  async restart() {
    this.lastRestartSeq = this.seq++;
    this.h = this.h.restart();
    await this.h.scheduler.start();
  }
}
