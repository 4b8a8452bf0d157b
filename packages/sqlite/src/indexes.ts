/**
 * Declared indexes on SQLite: the declarations in `ferry_indexes`, and one row per record
 * per index in `ferry_index_entries`, whose `entry` is `indexEntry` of `@ferry/client`
 * (ASCII, so SQLite's BINARY order is the order every store uses) and whose `record` is the
 * record's id. A range of an index is a range of the table's primary key, joined to the
 * records it names by id.
 */
import type { IndexDefinition, IndexScan, RecordAddress, StoredRecord } from '@ferry/client';
import { FerryValidationError } from '@ferry/client';
import { indexEntry, sameDefinitions } from '@ferry/client/internal';
import type { SqlRow, SqlValue } from './executor.ts';
import { schemaVersion } from './schema.ts';
import { all, run, type Step, type Work } from './work.ts';

const text = (row: SqlRow, column: string) => String(row[column]);

/** The first schema whose index entries this code reads (they name records by id, shorter). */
const ENTRIES_SINCE = 3;

export function* readDefinitions(): Work<IndexDefinition[]> {
  // A read-only store may open a file of an older schema, which it cannot upgrade: before
  // schema 3 there were no indexes (1) or entries it cannot read (2), so it offers none.
  if ((yield* schemaVersion()) < ENTRIES_SINCE) return [];
  const rows = yield all('SELECT collection, name, fields FROM ferry_indexes');
  return rows.map((row) => ({
    collection: text(row, 'collection'),
    name: text(row, 'name'),
    fields: JSON.parse(text(row, 'fields')) as string[],
  }));
}

/** The id of the record at (space, collection, key), inside a statement. */
const RECORD_ID = '(SELECT id FROM ferry_records WHERE space = ? AND collection = ? AND key = ?)';

/** Deletes a record's index entries: run before the record itself is deleted. */
export function entryDeletes(address: RecordAddress): Step {
  return run(`DELETE FROM ferry_index_entries WHERE record = ${RECORD_ID}`, [
    address.space,
    address.collection,
    address.key,
  ]);
}

/**
 * Index entry writes for one record written (replacing its earlier entries): run after the
 * record is, so that its id is there to name.
 */
export function entryWrites(definitions: readonly IndexDefinition[], record: StoredRecord): Step[] {
  const defs = definitions.filter((d) => d.collection === record.collection);
  if (defs.length === 0) return [];
  const { space, collection, key } = record;
  return [
    entryDeletes(record),
    ...defs.map((d) =>
      run(
        `INSERT INTO ferry_index_entries (space, collection, name, entry, record) VALUES (?, ?, ?, ?, ${RECORD_ID})`,
        [
          space,
          collection,
          d.name,
          indexEntry(d.fields, record.value, key),
          space,
          collection,
          key,
        ],
      ),
    ),
  ];
}

/**
 * Replaces the declarations: entries of indexes dropped or changed are deleted, those of
 * new or changed ones built from the stored records. Run inside a write transaction.
 */
export function* defineIndexes(wanted: readonly IndexDefinition[]): Work<void> {
  const current = yield* readDefinitions();
  if (sameDefinitions(current, wanted)) return;
  const same = (a: IndexDefinition, b: IndexDefinition) =>
    a.collection === b.collection &&
    a.name === b.name &&
    JSON.stringify(a.fields) === JSON.stringify(b.fields);
  for (const old of current) {
    if (wanted.some((d) => same(d, old))) continue;
    yield run('DELETE FROM ferry_index_entries WHERE collection = ? AND name = ?', [
      old.collection,
      old.name,
    ]);
    yield run('DELETE FROM ferry_indexes WHERE collection = ? AND name = ?', [
      old.collection,
      old.name,
    ]);
  }
  for (const def of wanted) {
    if (current.some((d) => same(d, def))) continue;
    yield run('INSERT INTO ferry_indexes (collection, name, fields) VALUES (?, ?, ?)', [
      def.collection,
      def.name,
      JSON.stringify(def.fields),
    ]);
    const rows = yield all('SELECT id, space, key, value FROM ferry_records WHERE collection = ?', [
      def.collection,
    ]);
    for (const row of rows) {
      yield run(
        'INSERT INTO ferry_index_entries (space, collection, name, entry, record) VALUES (?, ?, ?, ?, ?)',
        [
          text(row, 'space'),
          def.collection,
          def.name,
          indexEntry(def.fields, JSON.parse(text(row, 'value')), text(row, 'key')),
          Number(row.id),
        ],
      );
    }
  }
}

export function checkDeclared(definitions: readonly IndexDefinition[], scan: IndexScan): void {
  if (!definitions.some((d) => d.collection === scan.collection && d.name === scan.index)) {
    throw new FerryValidationError(
      `No index "${scan.index}" is declared for the collection "${scan.collection}".`,
    );
  }
}

function where(scan: IndexScan): [string, SqlValue[]] {
  let sql = 'e.space = ? AND e.collection = ? AND e.name = ?';
  const params: SqlValue[] = [scan.space, scan.collection, scan.index];
  if (scan.lower !== undefined) {
    sql += scan.lowerOpen ? ' AND e.entry > ?' : ' AND e.entry >= ?';
    params.push(scan.lower);
  }
  if (scan.upper !== undefined) {
    sql += scan.upperOpen ? ' AND e.entry < ?' : ' AND e.entry <= ?';
    params.push(scan.upper);
  }
  return [sql, params];
}

export function* scanIndex(
  scan: IndexScan,
  order: 'asc' | 'desc',
  limit: number | undefined,
): Work<StoredRecord[]> {
  const [condition, params] = where(scan);
  const rows = yield all(
    `SELECT r.key, r.version, r.value FROM ferry_index_entries e
     JOIN ferry_records r ON r.id = e.record
     WHERE ${condition} ORDER BY e.entry ${order === 'desc' ? 'DESC' : 'ASC'}${limit === undefined ? '' : ' LIMIT ?'}`,
    limit === undefined ? params : [...params, limit],
  );
  return rows.map((row) => ({
    space: scan.space,
    collection: scan.collection,
    key: text(row, 'key'),
    version: Number(row.version),
    value: JSON.parse(text(row, 'value')),
  }));
}

export function* countIndex(scan: IndexScan): Work<number> {
  const [condition, params] = where(scan);
  const [row] = yield all(
    `SELECT COUNT(*) AS n FROM ferry_index_entries e WHERE ${condition}`,
    params,
  );
  return Number(row?.n ?? 0);
}
