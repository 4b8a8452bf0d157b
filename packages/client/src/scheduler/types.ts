/** The scheduler's contracts: what it needs from the client, and what it offers. */
import type { Logger } from '../logger.ts';
import type { RunFn } from './active-run.ts';
import type { SchedulerCapabilities, SyncEnvironment, WaitingFor } from './environment.ts';
import type { RunError, RunRecord, SavedSchedule } from './history.ts';
import type { ResolvedScheduleOptions } from './options.ts';
import type { SchedulerState } from './status-machine.ts';
import type { AutomaticTrigger, RequestedTrigger } from './triggers.ts';

export interface ScheduleStorage {
  load(): Promise<{ lastSuccessAt: number | null; saved: SavedSchedule }>;
  save(saved: SavedSchedule): Promise<void>;
}

export interface SchedulerStatus {
  state: SchedulerState;
  /** When the next automatic run is planned, or null when none is. */
  nextRunAt: number | null;
  /** Failures in a row since the last success. */
  attempt: number;
  waitingFor: WaitingFor | null;
  lastError: RunError | null;
  lastSuccessAt: number | null;
}

export interface SchedulerDeps {
  environment: SyncEnvironment;
  options: ResolvedScheduleOptions;
  storage: ScheduleStorage;
  run: RunFn;
  /** True when the outbox holds mutations not sent yet. */
  hasPendingMutations(): boolean;
  /** The id of the last local mutation in the outbox, or 0 when it is empty. */
  lastMutationId(): number;
  /**
   * False when the client already holds every change the pokes received so far announced:
   * a poke then starts no run, and one waiting for the run in flight to end is dropped.
   */
  pokeWanted(): boolean;
  /** Whether server pokes can reach this client (a live stream is possible). */
  pokes: boolean;
  onStatus(status: SchedulerStatus): void;
  onRunEnd(record: RunRecord): void;
  /** What `sync()` calls still waiting are rejected with when the scheduler stops. */
  closedError(): Error;
  logger: Logger;
}

export interface Scheduler {
  /** Loads the saved state, starts watching conditions, and raises `start`. */
  start(): Promise<void>;
  trigger(trigger: AutomaticTrigger): void;
  /**
   * A requested run (`sync()`), recorded with `trigger` (default `manual`): resolves with
   * the record of the run that served it, rejects with its error.
   */
  requestRun(trigger?: RequestedTrigger): Promise<RunRecord>;
  /**
   * The server is reachable again (the live stream opened): the rest of a backoff is
   * skipped, so what failed meanwhile is retried now. A Retry-After still holds.
   */
  resetBackoff(): void;
  /**
   * The local data is known current as of `at` without a run (a poke's changes applied):
   * `lastSuccessAt` moves, and with it the next `interval` run.
   */
  dataCurrent(at: number): void;
  status(): SchedulerStatus;
  history(): RunRecord[];
  capabilities(): SchedulerCapabilities;
  /** Aborts the run in flight and plans nothing more; settles once that run is recorded. */
  stop(): Promise<void>;
}
