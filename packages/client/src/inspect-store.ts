/**
 * `inspectStore`: the inspector's snapshot read from a store alone, for a tool looking at a
 * file another process keeps in sync (`ferry-agent status`). It only reads: open the store
 * read-only and the writer is not disturbed. What only a running engine knows is absent:
 * no status, no write times, no cursor version, and the rejections are those rolled back
 * but not yet reported to the app.
 */
import { isPlainObject } from '@ferry/protocol';
import {
  type CollectionSize,
  type InspectOptions,
  type InspectorSnapshot,
  type RejectionSummary,
  resolveInspectOptions,
  snapshotOf,
} from './inspect.ts';
import { META_KEYS } from './local-state.ts';
import { systemNow } from './options.ts';
import type { RejectionEvent } from './push.ts';
import type { RunRecord } from './scheduler/history.ts';
import { readSavedSchedule, SCHEDULE_CURRENT_KEY } from './scheduler/store-storage.ts';
import type { Store } from './store.ts';

export interface InspectStoreOptions extends InspectOptions {
  /** The clock; default the system clock. */
  now?: () => number;
  /**
   * Counts the records of each collection; the `Store` interface cannot list collections,
   * so a store that can (a SQL `GROUP BY`) passes its own. Without it, the collections
   * that have pending writes are counted by reading them.
   */
  collectionSizes?: () => Promise<CollectionSize[]>;
}

type StoreReads = Pick<Store, 'getMeta' | 'listOutbox' | 'listRecords'>;

export async function inspectStore(
  store: StoreReads,
  options: InspectStoreOptions = {},
): Promise<InspectorSnapshot> {
  const { now = systemNow, collectionSizes, ...rest } = options;
  const resolved = resolveInspectOptions(rest);
  const [clientId, pushedThrough, cursor, lastSuccessAt, unreported, current, saved, outbox] =
    await Promise.all([
      store.getMeta(META_KEYS.clientId),
      store.getMeta(META_KEYS.pushedThrough),
      store.getMeta(META_KEYS.cursor),
      store.getMeta(META_KEYS.lastSuccessAt),
      store.getMeta(META_KEYS.unreportedRejections),
      store.getMeta(SCHEDULE_CURRENT_KEY),
      readSavedSchedule(store),
      store.listOutbox(),
    ]);
  let collections: CollectionSize[] | null = null;
  if (resolved.countRecords) {
    collections = collectionSizes
      ? await collectionSizes()
      : await countByReading(store, outboxCollections(outbox));
  }
  return snapshotOf(
    {
      takenAt: now(),
      source: 'store',
      clientId: typeof clientId === 'string' ? clientId : null,
      status: null,
      outbox,
      pushedThrough: typeof pushedThrough === 'number' ? pushedThrough : 0,
      writtenAt: () => undefined,
      runs: stillRunning(saved.runs, current),
      attempt: saved.attempt,
      nextRunAt: saved.nextRunAt,
      rejections: Array.isArray(unreported)
        ? (unreported as unknown as RejectionEvent[]).map(storedRejection)
        : [],
      cursorHeld: typeof cursor === 'string',
      cursorVersion: null,
      lastSuccessAt: typeof lastSuccessAt === 'number' ? lastSuccessAt : null,
      collections,
    },
    resolved,
  );
}

/**
 * A run the store records as under way reads back `interrupted` (that is what a restart of
 * its own process makes of it); a reader cannot tell whether the writer still runs it, so
 * it is shown as the writer last saved it.
 */
function stillRunning(runs: readonly RunRecord[], current: unknown): readonly RunRecord[] {
  const last = runs.at(-1);
  if (
    last === undefined ||
    !isPlainObject(current) ||
    current.outcome !== 'running' ||
    last.id !== current.id
  ) {
    return runs;
  }
  return [...runs.slice(0, -1), { ...last, outcome: 'running' }];
}

function storedRejection(event: RejectionEvent): RejectionSummary {
  const { id, space, collection, key, op } = event.mutation;
  return { id, space, collection, key, op, code: event.code, message: event.message, at: null };
}

function outboxCollections(
  outbox: readonly { space: string; collection: string }[],
): { space: string; collection: string }[] {
  const seen = new Map<string, { space: string; collection: string }>();
  for (const { space, collection } of outbox) {
    seen.set(JSON.stringify([space, collection]), { space, collection });
  }
  return [...seen.values()];
}

/** Counts these collections by reading their records: for stores that cannot count. */
export async function countByReading(
  store: Pick<Store, 'listRecords'>,
  collections: readonly { space: string; collection: string }[],
): Promise<CollectionSize[]> {
  return Promise.all(
    collections.map(async ({ space, collection }) => ({
      space,
      collection,
      records: (await store.listRecords(space, collection)).length,
    })),
  );
}
