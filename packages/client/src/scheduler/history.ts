/**
 * Run records and the scheduler state kept in the store, so that the history, the attempt
 * count and the next planned run survive a restart. What is read back is checked field by
 * field: a store written by another version, or edited by hand, yields defaults instead
 * of a broken scheduler.
 */
import type { JsonValue } from '@ferry/protocol';
import { userMessageFor } from '../error-codes.ts';
import { isTrigger, sortTriggers, type Trigger } from './triggers.ts';

/**
 * - running: under way (or the process died; the next start marks it `interrupted`);
 * - success: pushed everything it set out to push and pulled to the end;
 * - failed: stopped by an error (see `error`);
 * - aborted: stopped on purpose (see `abortReason`), its work so far kept;
 * - interrupted: the process ended while it ran.
 */
export type RunOutcome = 'running' | 'success' | 'failed' | 'aborted' | 'interrupted';

/** budget: `maxRunDurationMs` reached; conditions: a constraint was lost; closed: `close()`. */
export type AbortReason = 'budget' | 'conditions' | 'closed';

/** Why a run failed: as `status.lastError` shows it, and as the history keeps it. */
export interface RunError {
  /**
   * A stable code to branch on: one of `FerryErrorCode` (the server's protocol codes, and
   * the client's own: `offline`, `unreachable`, `timeout`, `token_unavailable`…), or an
   * adapter's (`@ferry/browser`'s `storage_full`…).
   */
  readonly code: string;
  /** What went wrong and how to fix it, for developers and logs. */
  readonly message: string;
  /** A short phrase a person can read: "Can't reach the server — changes are kept and will be sent". */
  readonly userMessage: string;
}

export interface RunRecord {
  /** Increases by one per run of this store, across restarts. */
  readonly id: number;
  readonly triggers: readonly Trigger[];
  readonly startedAt: number;
  /** Null while running, and for a run the process did not survive. */
  readonly endedAt: number | null;
  readonly outcome: RunOutcome;
  readonly abortReason: AbortReason | null;
  /** Mutations the server confirmed (applied now, or already by an earlier send). */
  readonly pushed: number;
  /** Changes pulled and applied. */
  readonly pulled: number;
  /** Mutations the server rejected (rolled back and reported). */
  readonly rejected: number;
  /** JSON bytes of request bodies sent and response bodies received, before compression. */
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /** The server could not serve the cursor and sent a fresh snapshot. */
  readonly reset: boolean;
  readonly error: RunError | null;
}

export interface SavedSchedule {
  /** Failures in a row since the last success. */
  attempt: number;
  /** No automatic run before this time (a backoff), or null. */
  backoffUntil: number | null;
  /** No run at all before this time (the server's Retry-After), or null. */
  retryAfterUntil: number | null;
  /** A run started and did not succeed: the next wake-up syncs whatever the staleness. */
  incomplete: boolean;
  /** When the next run was planned, as last saved (for display after a restart). */
  nextRunAt: number | null;
  nextRunId: number;
  /** Oldest first. */
  runs: RunRecord[];
}

export const EMPTY_SCHEDULE: SavedSchedule = Object.freeze({
  attempt: 0,
  backoffUntil: null,
  retryAfterUntil: null,
  incomplete: false,
  nextRunAt: null,
  nextRunId: 1,
  runs: [],
}) as SavedSchedule;

const OUTCOMES: readonly RunOutcome[] = ['running', 'success', 'failed', 'aborted', 'interrupted'];
const ABORT_REASONS: readonly AbortReason[] = ['budget', 'conditions', 'closed'];

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const count = (value: unknown): number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : 0;
const time = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

function parseError(value: unknown): RunError | null {
  if (!isObject(value) || typeof value.message !== 'string') return null;
  // Records written before errors had codes (a network failure had none) read as unknown.
  const code = typeof value.code === 'string' ? value.code : 'unknown';
  const userMessage =
    typeof value.userMessage === 'string' ? value.userMessage : userMessageFor(code);
  return { code, message: value.message, userMessage };
}

function parseRun(value: unknown): RunRecord | undefined {
  if (!isObject(value)) return undefined;
  const startedAt = time(value.startedAt);
  const id = count(value.id);
  const outcome = OUTCOMES.find((o) => o === value.outcome);
  if (startedAt === null || id === 0 || outcome === undefined) return undefined;
  const triggers = Array.isArray(value.triggers) ? value.triggers.filter(isTrigger) : [];
  return {
    id,
    triggers: sortTriggers(triggers),
    startedAt,
    endedAt: time(value.endedAt),
    outcome,
    abortReason: ABORT_REASONS.find((r) => r === value.abortReason) ?? null,
    pushed: count(value.pushed),
    pulled: count(value.pulled),
    rejected: count(value.rejected),
    bytesSent: count(value.bytesSent),
    bytesReceived: count(value.bytesReceived),
    reset: value.reset === true,
    error: parseError(value.error),
  };
}

/** The saved state, with any run that was still `running` marked `interrupted`. */
export function parseSavedSchedule(value: JsonValue | undefined): SavedSchedule {
  if (!isObject(value)) return { ...EMPTY_SCHEDULE, runs: [] };
  const runs = (Array.isArray(value.runs) ? value.runs : [])
    .map(parseRun)
    .filter((run): run is RunRecord => run !== undefined)
    .map(
      (run): RunRecord => (run.outcome === 'running' ? { ...run, outcome: 'interrupted' } : run),
    );
  const lastId = runs.reduce((max, run) => Math.max(max, run.id), 0);
  return {
    attempt: count(value.attempt),
    backoffUntil: time(value.backoffUntil),
    retryAfterUntil: time(value.retryAfterUntil),
    incomplete: value.incomplete === true || runs.at(-1)?.outcome === 'interrupted',
    nextRunAt: time(value.nextRunAt),
    nextRunId: Math.max(count(value.nextRunId), lastId + 1, 1),
    runs,
  };
}

/**
 * The saved state as a new process finds it: a run still `running` was cut by the end of
 * the process that ran it, and left the sync unfinished. Saved times more than
 * `maxDelayMs` ahead are brought back, so a clock set back cannot park the scheduler for
 * days.
 */
export function restoreAfterRestart(
  saved: SavedSchedule,
  now: number,
  limits: { maxDelayMs: number; historySize: number },
): SavedSchedule {
  const interrupted = saved.runs.some((run) => run.outcome === 'running');
  const clamp = (t: number | null) => (t === null ? null : Math.min(t, now + limits.maxDelayMs));
  return {
    ...saved,
    backoffUntil: clamp(saved.backoffUntil),
    retryAfterUntil: clamp(saved.retryAfterUntil),
    incomplete: saved.incomplete || interrupted,
    runs: saved.runs
      .slice(-limits.historySize)
      .map((run) =>
        run.outcome === 'running'
          ? Object.freeze({ ...run, outcome: 'interrupted' as const })
          : run,
      ),
  };
}
