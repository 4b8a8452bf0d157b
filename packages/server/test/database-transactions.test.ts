/**
 * `Database.transaction` on both databases: everything a transaction ran commits together
 * or not at all, whether its statements have parameters or not, it sees its own writes,
 * and a transaction that runs nothing is fine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/index.ts';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.ts';

describe.each(DATABASE_KINDS)('transactions on $name', (kind) => {
  let db: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    db = await kind.create();
    database = db.database;
    await database.exec('CREATE TABLE tx_probe (id integer PRIMARY KEY, note text)');
  });
  afterAll(() => db.dispose());

  const ids = async () =>
    (await database.query<{ id: number }>('SELECT id FROM tx_probe ORDER BY id')).map((r) => r.id);

  it('commits every statement, the first one without parameters', async () => {
    const rows = await database.transaction(async (tx) => {
      const first = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM tx_probe');
      await tx.query('INSERT INTO tx_probe (id, note) VALUES ($1, $2)', [1, 'a']);
      return first;
    });
    expect(rows).toEqual([{ n: 0 }]);
    expect(await ids()).toEqual([1]);
  });

  it('rolls back every statement when the work throws after a first one without parameters', async () => {
    await expect(
      database.transaction(async (tx) => {
        await tx.query("INSERT INTO tx_probe (id, note) VALUES (2, 'b')");
        await tx.query('INSERT INTO tx_probe (id, note) VALUES ($1, $2)', [3, 'c']);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await ids()).toEqual([1]);
  });

  it('rolls back when the first statement has parameters', async () => {
    await expect(
      database.transaction(async (tx) => {
        await tx.query('INSERT INTO tx_probe (id, note) VALUES ($1, $2)', [4, 'd']);
        await tx.query('INSERT INTO tx_probe (id, note) VALUES ($1, $2)', [1, 'duplicate']);
      }),
    ).rejects.toThrow();
    expect(await ids()).toEqual([1]);
  });

  it('sees its own writes, and runs nothing when the work runs nothing', async () => {
    const seen = await database.transaction(async (tx) => {
      await tx.query("INSERT INTO tx_probe (id, note) VALUES (5, 'e')");
      return tx.query<{ id: number }>('SELECT id FROM tx_probe WHERE id = 5');
    });
    expect(seen).toEqual([{ id: 5 }]);
    expect(await database.transaction(async () => 'nothing')).toBe('nothing');
    expect(await ids()).toEqual([1, 5]);
  });
});
