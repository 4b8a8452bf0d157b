/**
 * The running client's side of the inspector: it notes when each write of this session
 * entered the outbox (the outbox itself keeps no times) and keeps the last rejections, then
 * answers `client.inspect()` from the engine's memory: the outbox, the run history and the
 * status are already there, so only record counts touch the store.
 */
import type { Unsubscribe } from './emitter.ts';
import {
  type InspectOptions,
  type InspectorSnapshot,
  type RejectionSummary,
  resolveInspectOptions,
  snapshotOf,
} from './inspect.ts';
import { countByReading } from './inspect-store.ts';
import type { LocalState } from './local-state.ts';
import type { Mutex } from './mutex.ts';
import type { RejectionEvent } from './push.ts';
import type { RunRecord } from './scheduler/history.ts';
import type { SyncStatus } from './status.ts';
import type { Store } from './store.ts';

/** Rejections kept for the inspector: enough to see a pattern, bounded whatever happens. */
export const KEPT_REJECTIONS = 50;

export interface EngineInspectorSources {
  store: Pick<Store, 'listRecords'>;
  mutex: Mutex;
  now: () => number;
  /** The engine's state, once loaded. */
  ready: Promise<LocalState>;
  /** Settles once the state is loaded and the scheduler has read its history. */
  started: Promise<unknown>;
  status: () => SyncStatus;
  history: () => readonly RunRecord[];
  onRejected: (listener: (event: RejectionEvent) => void) => Unsubscribe;
}

export interface EngineInspector {
  /** Call after every commit that changed the outbox: new entries get their time. */
  outboxChanged(): void;
  /** A collection the app opened: its records are counted. */
  collectionOpened(space: string, collection: string): void;
  inspect(options?: InspectOptions): Promise<InspectorSnapshot>;
}

export function createEngineInspector(sources: EngineInspectorSources): EngineInspector {
  // When each commit's entries were written, as runs of ids: run i holds ids from its
  // `from` up to the next run's, all written `at` one time. A bulk write of 20,000 entries
  // is one run, not 20,000 times to note and forget.
  const written: { from: number; at: number }[] = [];
  // Entries up to this id were in the outbox when the client opened, or already timed.
  let timedThrough: number | undefined;
  const writtenAt = (id: number): number | undefined => {
    if (timedThrough === undefined || id > timedThrough) return undefined;
    let low = 0;
    let high = written.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (written[middle]!.from <= id) low = middle + 1;
      else high = middle;
    }
    return low === 0 ? undefined : written[low - 1]!.at;
  };
  const rejections: RejectionSummary[] = [];
  const opened = new Map<string, { space: string; collection: string }>();
  let local: LocalState | undefined;
  // Registered before any write can commit: what the store held at opening has no time.
  sources.ready.then(
    (loaded) => {
      local = loaded;
      timedThrough = loaded.outbox.lastId;
    },
    () => {},
  );

  sources.onRejected((event) => {
    const { id, space, collection, key, op } = event.mutation;
    const at = sources.now();
    rejections.push({
      id,
      space,
      collection,
      key,
      op,
      code: event.code,
      message: event.message,
      at,
    });
    if (rejections.length > KEPT_REJECTIONS) rejections.shift();
  });

  const outboxChanged = () => {
    if (local === undefined || timedThrough === undefined) return;
    const { outbox } = local;
    if (outbox.lastId > timedThrough) {
      written.push({ from: timedThrough + 1, at: sources.now() });
      timedThrough = outbox.lastId;
    }
    // Entries confirmed or rolled back leave the outbox: runs wholly below its first id go.
    const first = outbox.firstId;
    let gone = 0;
    while (gone + 1 < written.length && written[gone + 1]!.from <= first) gone++;
    if (gone > 0) written.splice(0, gone);
  };

  return {
    outboxChanged,
    collectionOpened(space, collection) {
      opened.set(JSON.stringify([space, collection]), { space, collection });
    },
    async inspect(options) {
      const resolved = resolveInspectOptions(options);
      // A client whose store failed to open has nothing to show but its status.
      await sources.started.catch(() => {});
      const outbox = local?.outbox.after(0) ?? [];
      let collections = null;
      if (resolved.countRecords) {
        const known = new Map(opened);
        for (const { space, collection } of outbox) {
          known.set(JSON.stringify([space, collection]), { space, collection });
        }
        collections = await sources.mutex.read(() =>
          countByReading(sources.store, [...known.values()]),
        );
      }
      const status = sources.status();
      return snapshotOf(
        {
          takenAt: sources.now(),
          source: 'client',
          clientId: local?.clientId ?? null,
          status,
          outbox,
          pushedThrough: local?.pushedThrough ?? 0,
          writtenAt,
          runs: sources.history(),
          attempt: status.attempt,
          nextRunAt: status.nextRunAt,
          rejections,
          cursorHeld: (local?.cursor ?? null) !== null,
          cursorVersion: local?.cursorVersion ?? null,
          lastSuccessAt: local?.lastSuccessAt ?? status.lastSuccessAt,
          collections,
        },
        resolved,
      );
    },
  };
}
