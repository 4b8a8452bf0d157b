/**
 * Local reads and writes. Writes are validated first (nothing changes on bad input), then
 * recorded in the outbox together with the advanced id counter in one store commit, so a
 * write whose promise resolved survives a crash and its id is never handed out again. A
 * bulk write is many such writes validated together and recorded in one commit.
 */
import {
  copyJson,
  describeUnwritableValue,
  isValidKey,
  type JsonObject,
  MAX_KEY_LENGTH,
  type MutationId,
  type SpaceId,
} from '@ferry/protocol';
import { collectionsOf, namedRecords } from './changes.ts';
import type { EngineContext } from './engine-context.ts';
import { FerryValidationError } from './errors.ts';
import type { IndexDefinition } from './index-key.ts';
import { mutationsRecorded, reserveMutationIds } from './local-transitions.ts';
import { overlayCollection, overlayRecord, type Row } from './overlay.ts';
import { countRows, type FindQuery, findRows, getRows } from './query.ts';
import type { OutboxEntry } from './store.ts';

export interface LocalWrite {
  space: string;
  collection: string;
  key: string;
  op: 'put' | 'patch' | 'delete';
  /** The new value (put) or the fields to change (patch). */
  value?: unknown;
  ifVersion?: number | undefined;
}

/** Names a write in an error message; built only when one is thrown. */
const describeWrite = (write: LocalWrite) =>
  `${write.op}(${JSON.stringify(write.key)}) in ${write.space}/${write.collection}`;

/**
 * Checks a write before anything changes and returns the mutation it becomes, its id still
 * 0: `commitWrites` numbers it. A bulk write calls this for every entry, so a valid write
 * costs one walk and one copy of its value and one object: no message is spelled, nothing
 * is spread and no closure is made.
 */
export function checkWrite(write: LocalWrite): OutboxEntry {
  const { op, key, ifVersion } = write;
  const space = write.space as SpaceId;
  const collection = write.collection;
  const id = 0 as MutationId;
  if (!isValidKey(key)) {
    throw new FerryValidationError(
      `${describeWrite(write)}: the key must be a string of 1–${MAX_KEY_LENGTH} characters without U+0000 or lone surrogates.`,
    );
  }
  if (
    ifVersion !== undefined &&
    (typeof ifVersion !== 'number' || !Number.isSafeInteger(ifVersion) || ifVersion < 0)
  ) {
    throw new FerryValidationError(
      `${describeWrite(write)}: ifVersion must be a non-negative integer (a row's version, or 0 for "only if it does not exist").`,
    );
  }
  if (op === 'delete') {
    return ifVersion === undefined
      ? { space, collection, key, id, op }
      : { space, collection, key, ifVersion, id, op };
  }
  // Big integers too: JSON would carry them rounded, and the server refuses them.
  const problem = describeUnwritableValue(write.value);
  if (problem !== undefined) {
    const removing =
      op === 'patch' && problem.endsWith(' is undefined, which JSON cannot represent');
    throw new FerryValidationError(
      `${describeWrite(write)}: ${problem}${removing ? ' (use null to remove a field)' : ''}.`,
    );
  }
  // A copy, so changing the caller's object later cannot change what is pushed.
  const value = copyJson(write.value as JsonObject);
  return ifVersion === undefined
    ? { space, collection, key, id, op, value }
    : { space, collection, key, ifVersion, id, op, value };
}

/** `checkWrite` for a caller that numbers the mutation itself. */
export function prepareWrite(write: LocalWrite): (id: MutationId) => OutboxEntry {
  const entry = checkWrite(write);
  return (id) => ({ ...entry, id });
}

/**
 * Records checked writes (`checkWrite`) in one store commit, numbering each in the order
 * given: all of them or, should the commit fail, none. One change is announced for the lot.
 */
export async function commitWrites(
  ctx: EngineContext,
  entries: readonly OutboxEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  await ctx.mutex.run(async () => {
    const local = await ctx.ready;
    const first = reserveMutationIds(local, entries.length);
    for (let i = 0; i < entries.length; i++) {
      (entries[i] as { id: number }).id = first + i;
    }
    const recorded = mutationsRecorded(local, entries);
    await ctx.store.commit(recorded.batch);
    ctx.outboxChanged(recorded.apply());
  });
  const records = namedRecords(entries);
  ctx.changed({
    cause: 'write',
    collections: collectionsOf(entries),
    spaces: [],
    ...(records === undefined ? {} : { records }),
  });
}

export async function readRow(
  ctx: EngineContext,
  space: string,
  collection: string,
  key: string,
): Promise<Row | undefined> {
  return ctx.mutex.read(async () => {
    const local = await ctx.ready;
    const base = await ctx.store.getRecord({ space, collection, key });
    return overlayRecord(key, base, local.outbox.forRecord(space, collection, key));
  });
}

export async function readRows(
  ctx: EngineContext,
  space: string,
  collection: string,
): Promise<Row[]> {
  return ctx.mutex.read(async () => {
    const local = await ctx.ready;
    const base = await ctx.store.listRecords(space, collection);
    return overlayCollection(base, local.outbox.forCollection(space, collection));
  });
}

/** A query's rows, read under the lock so no commit lands half-way through its pages. */
export async function findLocal(
  ctx: EngineContext,
  space: string,
  collection: string,
  def: IndexDefinition | undefined,
  query: FindQuery,
): Promise<Row[]> {
  return ctx.mutex.read(async () => {
    const local = await ctx.ready;
    const pending = local.outbox.pendingWrites(space, collection);
    return findRows(ctx.store, pending, space, collection, def, query);
  });
}

export async function countLocal(
  ctx: EngineContext,
  space: string,
  collection: string,
  def: IndexDefinition | undefined,
  query: FindQuery,
): Promise<number> {
  return ctx.mutex.read(async () => {
    const local = await ctx.ready;
    const pending = local.outbox.pendingWrites(space, collection);
    return countRows(ctx.store, pending, space, collection, def, query);
  });
}

export async function getManyLocal(
  ctx: EngineContext,
  space: string,
  collection: string,
  keys: readonly string[],
): Promise<(Row | undefined)[]> {
  return ctx.mutex.read(async () => {
    const local = await ctx.ready;
    const pending = local.outbox.forCollection(space, collection);
    return getRows(ctx.store, (key) => pending.get(key) ?? [], space, collection, keys);
  });
}
