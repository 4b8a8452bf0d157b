/**
 * Every read and write of the store, as SQL written once (see `work.ts`). A commit is one
 * transaction: its first statement is a write that changes nothing, so that it holds the
 * write lock from the start on drivers whose transactions begin deferred, then it checks the
 * batch against the outbox ids already taken, then applies the batch in the documented
 * order. A batch that fails its check throws before anything is written, and the transaction
 * is rolled back either way.
 */
import type {
  IndexDefinition,
  OutboxEntry,
  RecordAddress,
  StoreBatch,
  StoredRecord,
} from '@ferry/client';
import { checkStoreBatch } from '@ferry/client/internal';
import type { JsonValue } from '@ferry/protocol';
import type { SqlRow } from './executor.ts';
import { entryDeletes, entryWrites } from './indexes.ts';
import { all, run, type Step, type Work } from './work.ts';

/** SQLite compares UTF-8 bytes; keys are listed in UTF-16 order like every other store. */
const byKey = (a: { key: string }, b: { key: string }) =>
  a.key < b.key ? -1 : a.key > b.key ? 1 : 0;

const text = (row: SqlRow, column: string) => String(row[column]);
const integer = (row: SqlRow, column: string) => Number(row[column]);

export function* getRecord(address: RecordAddress): Work<StoredRecord | undefined> {
  const [row] = yield all(
    'SELECT version, value FROM ferry_records WHERE space = ? AND collection = ? AND key = ?',
    [address.space, address.collection, address.key],
  );
  if (row === undefined) return undefined;
  return { ...address, version: integer(row, 'version'), value: JSON.parse(text(row, 'value')) };
}

export function* listRecords(space: string, collection: string): Work<StoredRecord[]> {
  const rows = yield all(
    'SELECT key, version, value FROM ferry_records WHERE space = ? AND collection = ?',
    [space, collection],
  );
  return rows
    .map((row) => ({
      space,
      collection,
      key: text(row, 'key'),
      version: integer(row, 'version'),
      value: JSON.parse(text(row, 'value')),
    }))
    .sort(byKey);
}

export function* getRecords(
  space: string,
  collection: string,
  keys: readonly string[],
): Work<(StoredRecord | undefined)[]> {
  const found = new Map<string, StoredRecord>();
  for (let i = 0; i < keys.length; i += IDS_PER_QUERY) {
    const some = keys.slice(i, i + IDS_PER_QUERY);
    const rows = yield all(
      `SELECT key, version, value FROM ferry_records WHERE space = ? AND collection = ? AND key IN (${some.map(() => '?').join(', ')})`,
      [space, collection, ...some],
    );
    for (const row of rows) {
      const key = text(row, 'key');
      found.set(key, {
        space,
        collection,
        key,
        version: integer(row, 'version'),
        value: JSON.parse(text(row, 'value')),
      });
    }
  }
  return keys.map((key) => {
    const record = found.get(key);
    return record === undefined ? undefined : { ...record, value: structuredClone(record.value) };
  });
}

export function* listOutbox(): Work<OutboxEntry[]> {
  const rows = yield all('SELECT mutation FROM ferry_outbox ORDER BY id');
  return rows.map((row) => JSON.parse(text(row, 'mutation')));
}

export function* getMeta(key: string): Work<JsonValue | undefined> {
  const [row] = yield all('SELECT value FROM ferry_meta WHERE key = ?', [key]);
  return row === undefined ? undefined : (JSON.parse(text(row, 'value')) as JsonValue);
}

/** At most this many ids in one `IN (…)`: old SQLite builds allow 999 parameters. */
const IDS_PER_QUERY = 500;

/** Which of these ids are in the outbox already. */
function* takenIds(candidates: readonly number[]): Work<Set<number>> {
  const taken = new Set<number>();
  for (let i = 0; i < candidates.length; i += IDS_PER_QUERY) {
    const ids = candidates.slice(i, i + IDS_PER_QUERY);
    const rows = yield all(
      `SELECT id FROM ferry_outbox WHERE id IN (${ids.map(() => '?').join(', ')})`,
      ids,
    );
    for (const row of rows) taken.add(integer(row, 'id'));
  }
  return taken;
}

/** The batch's writes in the documented order, with its values as JSON text made now. */
function writesOf(batch: StoreBatch, indexes: readonly IndexDefinition[]): Step[] {
  const writes: Step[] = [];
  const indexed = new Set(indexes.map((d) => d.collection));
  if (batch.clearAll) {
    writes.push(run('DELETE FROM ferry_records'));
    if (indexed.size > 0) writes.push(run('DELETE FROM ferry_index_entries'));
  }
  for (const space of batch.clearSpaces ?? []) {
    writes.push(run('DELETE FROM ferry_records WHERE space = ?', [space]));
    if (indexed.size > 0)
      writes.push(run('DELETE FROM ferry_index_entries WHERE space = ?', [space]));
  }
  for (const r of batch.deleteRecords ?? []) {
    // The entries first: they name the record by its id, which goes with it.
    if (indexed.has(r.collection)) writes.push(entryDeletes(r));
    writes.push(
      run('DELETE FROM ferry_records WHERE space = ? AND collection = ? AND key = ?', [
        r.space,
        r.collection,
        r.key,
      ]),
    );
  }
  for (const r of batch.putRecords ?? []) {
    // An upsert, not a replace: the record keeps its id, which its index entries name.
    writes.push(
      run(
        `INSERT INTO ferry_records (space, collection, key, version, value) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (space, collection, key) DO UPDATE SET version = excluded.version, value = excluded.value`,
        [r.space, r.collection, r.key, r.version, JSON.stringify(r.value)],
      ),
    );
    writes.push(...entryWrites(indexes, r));
  }
  for (const id of batch.removeOutbox ?? []) {
    writes.push(run('DELETE FROM ferry_outbox WHERE id = ?', [id]));
  }
  if (batch.removeOutboxThrough !== undefined) {
    writes.push(run('DELETE FROM ferry_outbox WHERE id <= ?', [batch.removeOutboxThrough]));
  }
  for (const entry of batch.addOutbox ?? []) {
    writes.push(
      run('INSERT INTO ferry_outbox (id, mutation) VALUES (?, ?)', [
        entry.id,
        JSON.stringify(entry),
      ]),
    );
  }
  for (const [key, value] of Object.entries(batch.setMeta ?? {})) {
    writes.push(
      value === undefined
        ? run('DELETE FROM ferry_meta WHERE key = ?', [key])
        : run('INSERT OR REPLACE INTO ferry_meta (key, value) VALUES (?, ?)', [
            key,
            JSON.stringify(value),
          ]),
    );
  }
  return writes;
}

/**
 * The whole of a commit, to run inside one write transaction. The batch is checked and
 * turned into statements when this is called, so what the caller does to its objects
 * afterwards changes nothing; only whether its outbox ids are taken waits for the
 * transaction.
 */
export function commit(batch: StoreBatch, indexes: readonly IndexDefinition[]): Work<void> {
  // The shape checks need no data: refuse a malformed batch before any transaction.
  checkStoreBatch(batch, () => false);
  const writes = writesOf(batch, indexes);
  const added = (batch.addOutbox ?? []).map((entry) => entry.id);
  return (function* () {
    // Takes the write lock now rather than at the first real write (a no-op write does).
    yield run('DELETE FROM ferry_meta WHERE 0');
    const taken = yield* takenIds(added);
    // Rerun the checks with the ids really taken, for the same message as other stores.
    if (taken.size > 0) checkStoreBatch(batch, (id) => taken.has(id));
    for (const write of writes) yield write;
  })();
}
