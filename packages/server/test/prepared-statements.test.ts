/**
 * Statements marked `prepared` on both databases: the same rows as the same text run
 * unmarked (every parameter and column type Ferry uses), inside and outside transactions,
 * and a failing prepared statement throws the database's error, rolls back, and leaves the
 * statement usable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, prepared } from '../src/db/driver.ts';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.ts';

const INSERT_SQL = `INSERT INTO prepared_probe (id, note, n, tags)
  SELECT * FROM unnest($1::int[], $2::text[], $3::bigint[]), LATERAL (SELECT $4::text[]) t
  RETURNING id, note, n, tags`;
const READ_SQL = `SELECT id, note, n, tags, $1::text AS echo, $2::boolean AS flag
  FROM prepared_probe WHERE id = ANY($3::int[]) ORDER BY id`;

describe.each(DATABASE_KINDS)('prepared statements on $name', (kind) => {
  let db: TestDatabase;
  let database: Database;
  const insertMarked = prepared(INSERT_SQL);
  const readMarked = prepared(READ_SQL);
  beforeAll(async () => {
    db = await kind.create();
    database = db.database;
    await database.exec(
      'CREATE TABLE prepared_probe (id int PRIMARY KEY, note text, n bigint, tags text[])',
    );
  });
  afterAll(() => db.dispose());

  it('gives the rows the same text gives unmarked, in and out of transactions', async () => {
    const inserted = await database.transaction((tx) =>
      tx.query<{ n: string | number }>(insertMarked, [
        [1, 2],
        ["it's", null],
        [2 ** 40, 7],
        ['a', 'b,c'],
      ]),
    );
    // bigint comes back as a string from pg and as a number from PGlite, marked or not.
    expect(inserted.map((row) => ({ ...row, n: Number(row.n) }))).toEqual([
      { id: 1, note: "it's", n: 2 ** 40, tags: ['a', 'b,c'] },
      { id: 2, note: null, n: 7, tags: ['a', 'b,c'] },
    ]);
    const params = ['x', true, [1, 2]];
    // Twice: the first call prepares the statement, the second reuses it.
    for (let i = 0; i < 2; i++) {
      const unmarked = await database.query(`${READ_SQL} `, params);
      expect(await database.query(readMarked, params)).toEqual(unmarked);
      expect(await database.transaction((tx) => tx.query(readMarked, params))).toEqual(unmarked);
    }
  });

  it('throws the database error, rolls the transaction back and stays usable', async () => {
    const error = await database
      .transaction(async (tx) => {
        await tx.query(insertMarked, [[3], ['kept?'], [1], []]);
        await tx.query(insertMarked, [[3], ['again'], [1], []]);
      })
      .catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('23505');
    expect(await database.query(readMarked, ['y', false, [3]])).toEqual([]);
    await database.transaction((tx) => tx.query(insertMarked, [[3], ['now'], [1], []]));
    const rows = await database.query(readMarked, ['y', false, [3]]);
    expect(rows).toEqual(await database.query(`${READ_SQL} `, ['y', false, [3]]));
    expect(rows).toMatchObject([{ id: 3, note: 'now', tags: [], echo: 'y', flag: false }]);
  });
});
