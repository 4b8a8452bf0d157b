/**
 * The inspector's snapshot: what the sync engine is doing, as one plain JSON-able object,
 * so it crosses a browser channel unchanged and a CLI can print it. Sizes are bounded (at
 * most `maxPending` outbox entries, `maxRuns` runs and `maxRejections` rejections, each
 * with its total), so taking one every few seconds costs little whatever the outbox holds.
 *
 * Two sources fill it: a running client (`client.inspect()`, `inspect-engine.ts`), which
 * knows the live status, how old each write of this session is and the recent rejections;
 * and a store alone (`inspectStore`, `inspect-store.ts`), for a tool looking at a file
 * another process keeps in sync, which knows what is stored and nothing live.
 */
import type { Mutation } from '@ferry/protocol';
import { FerryValidationError } from './errors.ts';
import type { RunRecord } from './scheduler/history.ts';
import type { SyncStatus } from './status.ts';

export interface InspectOptions {
  /** At most this many outbox entries, oldest first; default 50. */
  maxPending?: number;
  /** At most this many runs, newest first; default 20. */
  maxRuns?: number;
  /** At most this many rejections, newest first; default 20. */
  maxRejections?: number;
  /**
   * Count the stored records of each collection (`store.collections`); default true. On a
   * client this reads every record of the collections it knows, so a view that refreshes
   * often counts now and then and passes false in between.
   */
  countRecords?: boolean;
}

/** One local write waiting in the outbox. */
export interface PendingSummary {
  readonly id: number;
  readonly space: string;
  readonly collection: string;
  readonly key: string;
  readonly op: Mutation['op'];
  /** Sent and acknowledged by the server, waiting for a pull to confirm it. */
  readonly pushed: boolean;
  /**
   * How long ago it was written (ms), for writes made since the client opened; null for a
   * write found in the store (the outbox does not keep times).
   */
  readonly ageMs: number | null;
}

/** A mutation the server refused; it was rolled back. */
export interface RejectionSummary {
  readonly id: number;
  readonly space: string;
  readonly collection: string;
  readonly key: string;
  readonly op: Mutation['op'];
  readonly code: string;
  readonly message: string;
  /** When it was reported (ms since the epoch); null for one still waiting in the store. */
  readonly at: number | null;
}

export interface CollectionSize {
  readonly space: string;
  readonly collection: string;
  readonly records: number;
}

export interface InspectorSnapshot {
  /** When it was taken (the client's `now()`, ms since the epoch). */
  readonly takenAt: number;
  /** Where it comes from: a running `client`, or a `store` read by another process. */
  readonly source: 'client' | 'store';
  readonly clientId: string | null;
  /** The live status; null when read from a store (no engine runs in the reader). */
  readonly status: SyncStatus | null;
  readonly pending: {
    /** Every entry in the outbox, shown or not. */
    readonly total: number;
    /** The oldest `maxPending`, in id order. */
    readonly entries: readonly PendingSummary[];
  };
  readonly runs: {
    /** Runs kept in the history (`schedule.historySize` at most). */
    readonly total: number;
    /** The latest `maxRuns`, newest first. */
    readonly entries: readonly RunRecord[];
    /** Failed runs in a row, as the scheduler last saved it. */
    readonly attempt: number;
    /** The next planned run (ms since the epoch), or null. */
    readonly nextRunAt: number | null;
  };
  readonly rejections: {
    readonly total: number;
    /** Newest first. */
    readonly entries: readonly RejectionSummary[];
  };
  readonly cursor: {
    /** The client holds a pull cursor (it has pulled at least once). */
    readonly held: boolean;
    /** The version the cursor stands at, when this session has pulled; else null. */
    readonly version: number | null;
    readonly lastSuccessAt: number | null;
    /** `takenAt - lastSuccessAt`, or null before the first success. */
    readonly ageMs: number | null;
  };
  readonly store: {
    readonly outboxLength: number;
    /** Records per collection, by space then name; null when not counted. */
    readonly collections: readonly CollectionSize[] | null;
  };
}

export const INSPECT_DEFAULTS = {
  maxPending: 50,
  maxRuns: 20,
  maxRejections: 20,
  countRecords: true,
} as const satisfies Required<InspectOptions>;

/** The options with defaults; a bound that is not a whole number ≥ 0 is an error. */
export function resolveInspectOptions(options: InspectOptions = {}): Required<InspectOptions> {
  const resolved = { ...INSPECT_DEFAULTS, ...options };
  for (const name of ['maxPending', 'maxRuns', 'maxRejections'] as const) {
    const value = resolved[name];
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new FerryValidationError(
        `inspect(): ${name} must be a whole number ≥ 0, got ${JSON.stringify(value)}.`,
      );
    }
  }
  return resolved;
}

/** What either source knows, before bounding. */
export interface InspectorParts {
  takenAt: number;
  source: InspectorSnapshot['source'];
  clientId: string | null;
  status: SyncStatus | null;
  outbox: readonly Mutation[];
  pushedThrough: number;
  /** When each write of this session was made, by mutation id. */
  writtenAt: (id: number) => number | undefined;
  /** Oldest first, as the history keeps them. */
  runs: readonly RunRecord[];
  attempt: number;
  nextRunAt: number | null;
  /** Oldest first. */
  rejections: readonly RejectionSummary[];
  cursorHeld: boolean;
  cursorVersion: number | null;
  lastSuccessAt: number | null;
  collections: readonly CollectionSize[] | null;
}

/** The snapshot of these parts, bounded as the options say. */
export function snapshotOf(
  parts: InspectorParts,
  options: Required<InspectOptions>,
): InspectorSnapshot {
  const { takenAt } = parts;
  const entries = parts.outbox.slice(0, options.maxPending).map((entry): PendingSummary => {
    const at = parts.writtenAt(entry.id);
    return {
      id: entry.id,
      space: entry.space,
      collection: entry.collection,
      key: entry.key,
      op: entry.op,
      pushed: entry.id <= parts.pushedThrough,
      ageMs: at === undefined ? null : Math.max(0, takenAt - at),
    };
  });
  const newest = <T>(list: readonly T[], max: number) =>
    max === 0 ? [] : list.slice(-max).reverse();
  const collections =
    parts.collections === null
      ? null
      : [...parts.collections].sort(
          (a, b) => compare(a.space, b.space) || compare(a.collection, b.collection),
        );
  return {
    takenAt,
    source: parts.source,
    clientId: parts.clientId,
    status: parts.status,
    pending: { total: parts.outbox.length, entries },
    runs: {
      total: parts.runs.length,
      entries: newest(parts.runs, options.maxRuns),
      attempt: parts.attempt,
      nextRunAt: parts.nextRunAt,
    },
    rejections: {
      total: parts.rejections.length,
      entries: newest(parts.rejections, options.maxRejections),
    },
    cursor: {
      held: parts.cursorHeld,
      version: parts.cursorVersion,
      lastSuccessAt: parts.lastSuccessAt,
      ageMs: parts.lastSuccessAt === null ? null : Math.max(0, takenAt - parts.lastSuccessAt),
    },
    store: { outboxLength: parts.outbox.length, collections },
  };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
