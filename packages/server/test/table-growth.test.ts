/**
 * Statements prepared while a table was small keep their plan until the table's size is
 * recorded again; while writes go on, the database records the size of tables that have
 * grown (ANALYZE on PostgreSQL, VACUUM on PGlite), so those plans are made again. The watch runs on a simulated clock; one
 * test per database sees a statement prepared on an empty table read an index once the
 * table has grown.
 */
import { describe, expect, it } from 'vitest';
import { prepared, preparedName } from '../src/db/driver.ts';
import { watchTableGrowth } from '../src/db/table-growth.ts';
import { DATABASE_KINDS } from './support/databases.ts';

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the growth watch', () => {
  it('looks at most once per interval while writes go on, and records only grown tables', async () => {
    let now = 0;
    let checks = 0;
    let grown: string[] = [];
    const recorded: (readonly string[])[] = [];
    const watch = watchTableGrowth({
      grown: async () => {
        checks++;
        return grown;
      },
      onGrown: async (tables) => {
        recorded.push(tables);
      },
      checkMs: 1000,
      now: () => now,
    });
    for (let n = 0; n < 5; n++) {
      watch.noteWrite();
      await settle();
      now += 100;
    }
    expect(checks).toBe(1);
    expect(recorded).toEqual([]);
    grown = ['"public"."ferry_records"'];
    now += 600;
    watch.noteWrite();
    await settle();
    expect(checks).toBe(2);
    expect(recorded).toEqual([['"public"."ferry_records"']]);
    await watch.close();
    now += 5000;
    watch.noteWrite();
    await settle();
    expect(checks).toBe(2);
  });

  it('waits for a check in progress on close, and keeps watching after a failed one', async () => {
    let now = 0;
    let checks = 0;
    let finish: () => void = () => {};
    const watch = watchTableGrowth({
      grown: async () => {
        checks++;
        if (checks === 1) throw new Error('connection lost');
        await new Promise<void>((done) => {
          finish = done;
        });
        return [];
      },
      onGrown: async () => {},
      checkMs: 1000,
      now: () => now,
    });
    watch.noteWrite();
    await settle();
    now += 1000;
    watch.noteWrite();
    await settle();
    expect(checks).toBe(2);
    let closed = false;
    const closing = watch.close().then(() => {
      closed = true;
    });
    await settle();
    expect(closed).toBe(false);
    finish();
    await closing;
  });
});

describe.each(DATABASE_KINDS)('tables growing on $name', (kind) => {
  it('replaces the plan of a statement prepared on an empty table once the table has grown', async () => {
    // One connection, so that the statement explained is the one prepared and run.
    const { database, dispose } = await kind.create({ poolSize: 1 });
    try {
      await database.exec(
        'CREATE TABLE probe (space text, key text, value text, PRIMARY KEY (space, key))',
      );
      // The rows a batch names, joined on a compound key: the shape of a push's read.
      const named = prepared(`SELECT p.key, p.value FROM probe p
        JOIN unnest($1::text[], $2::text[]) AS w(space, key) ON p.space = w.space AND p.key = w.key`);
      const run = () =>
        database.query(named, [
          ['s', 's'],
          ['k1', 'k2'],
        ]);
      // More runs than PostgreSQL makes custom plans for, so that it keeps a generic one.
      for (let n = 0; n < 8; n++) await run();
      const plan = async () =>
        (
          await database.query<{ 'QUERY PLAN': string }>(
            `EXPLAIN (COSTS OFF) EXECUTE ${preparedName(named)}('{s,s}', '{k1,k2}')`,
          )
        )
          .map((line) => line['QUERY PLAN'])
          .join('\n');
      expect(await plan()).toContain('Seq Scan on probe');
      // Real timers: the point is that the database notices the growth by itself while
      // writes go on.
      for (let batch = 0; ; batch++) {
        await database.transaction((tx) =>
          tx.query(
            `INSERT INTO probe SELECT 's', 'k' || g, repeat('x', 200)
             FROM generate_series($1::int, $2::int) g`,
            [batch * 2000 + 1, batch * 2000 + 2000],
          ),
        );
        const [row] = await database.query<{ relpages: number }>(
          "SELECT relpages FROM pg_class WHERE relname = 'probe' AND relnamespace = current_schema()::regnamespace",
        );
        if ((row?.relpages ?? 0) > 0) break;
        expect(batch, 'the growing table was never analyzed').toBeLessThan(100);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await run();
      const after = await plan();
      expect(after).not.toContain('Seq Scan on probe');
      expect(after).toContain('probe_pkey');
    } finally {
      await dispose();
    }
  }, 60_000);
});
