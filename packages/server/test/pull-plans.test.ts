/**
 * A pull's statements read the `(space, version)` index however large the space, also in
 * the generic plans prepared statements settle on after a few runs. A plan that reads the
 * table instead costs time in proportion to the whole space on every page of a catch-up
 * (the remaining count once did: 80 ms a page at 1,000,000 records).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preparedName } from '../src/db/driver.ts';
import { migrate } from '../src/db/migrations.ts';
import {
  PULL_ONE_SPACE_SQL,
  PULL_SPACES_SQL,
  REMAINING_SQL,
  readChanges,
} from '../src/storage/pull.ts';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.ts';

/** With values of 500 bytes (a few records a page) reading the table looks cheap to a planner. */
const RECORDS = 30_000;

describe.each(DATABASE_KINDS)('pull plans on $name', (kind) => {
  let test: TestDatabase;
  beforeAll(async () => {
    // One connection, so that the statements explained are the ones prepared and run.
    test = await kind.create({ poolSize: 1 });
    await migrate(test.database);
    for (const space of ['a', 'b']) {
      await test.database.query(
        `INSERT INTO ferry_records (space, collection, key, value, version)
         SELECT $1, 'c', 'k' || g, '{"t":"' || repeat('x', 500) || '"}', nextval('ferry_versions')
         FROM generate_series(1, $2::int) g`,
        [space, RECORDS],
      );
    }
    // The table's size recorded, as the server's growth watch does while writes go on.
    await test.database.query('ANALYZE ferry_records');
  }, 60_000);
  afterAll(() => test.dispose());

  /** Follows a cursor page by page, more pages than PostgreSQL makes custom plans for. */
  async function catchUp(spaces: string[]): Promise<void> {
    let cursor: string | null = null;
    for (let page = 0; page < 8; page++) {
      const outcome = await readChanges(test.database, {
        clientId: `plans-${spaces.join('')}`,
        userId: 'u',
        spaces,
        cursor,
        limit: 100,
      });
      if (!outcome.ok) throw new Error(outcome.reason);
      const body = JSON.parse(outcome.body.toString()) as { cursor: string; remaining: number };
      expect(body.remaining).toBeGreaterThan(0);
      cursor = body.cursor;
    }
  }

  /** The generic plan: the one a statement run many times keeps when it costs no more. */
  async function plan(sql: string, args: string): Promise<string> {
    await test.database.query('SET plan_cache_mode = force_generic_plan');
    try {
      const rows = await test.database.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (COSTS OFF) EXECUTE ${preparedName(sql)}(${args})`,
      );
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    } finally {
      await test.database.query('RESET plan_cache_mode');
    }
  }

  it.each([
    { name: 'one space', spaces: ['a'], page: PULL_ONE_SPACE_SQL },
    { name: 'several spaces', spaces: ['a', 'b'], page: PULL_SPACES_SQL },
  ])('$name: the page and the remaining count each scan the index', async ({ spaces, page }) => {
    await catchUp(spaces);
    const list = `'{${spaces.join(',')}}'`;
    const plans = [
      await plan(page, `'plans-${spaces.join('')}', 'u', ${list}, '', 1000, 101, 60000`),
      await plan(REMAINING_SQL, `${list}, 1000, 1000`),
    ];
    for (const text of plans) {
      expect(text).not.toContain('Seq Scan on ferry_records');
      expect(text).toContain('ferry_records_space_version');
    }
  });
});
