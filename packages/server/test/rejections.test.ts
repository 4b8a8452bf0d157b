import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrations.ts';
import { writeBatch } from '../src/storage/batch-writes.ts';
import { loadRejections, pruneRejections } from '../src/storage/rejections.ts';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.ts';

describe.each(DATABASE_KINDS)('remembered rejections on $name', (kind) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await kind.create();
    await migrate(test.database);
  });
  afterAll(() => test.dispose());

  it('are found by client and id, and pruned after their retention', async () => {
    const db = test.database;
    await writeBatch(db, {
      records: [],
      clients: new Map(),
      rejections: [
        { clientId: 'a', mutationId: 1, code: 'conflict', message: 'm1' },
        { clientId: 'b', mutationId: 1, code: 'forbidden', message: 'm2' },
      ],
      commitEvent: undefined,
      notify: undefined,
      watermark: false,
    });
    const found = await loadRejections(db, [
      { clientId: 'a', mutationId: 1 },
      { clientId: 'a', mutationId: 2 },
    ]);
    expect([...found.values()]).toEqual([
      { clientId: 'a', mutationId: 1, code: 'conflict', message: 'm1' },
    ]);
    expect(await pruneRejections(db, 60_000)).toBe(0);
    await db.query(
      `UPDATE ferry_rejections SET created_at = now() - interval '2 minutes' WHERE client_id = 'a'`,
    );
    expect(await pruneRejections(db, 60_000)).toBe(1);
    const left = await loadRejections(db, [
      { clientId: 'a', mutationId: 1 },
      { clientId: 'b', mutationId: 1 },
    ]);
    expect([...left.keys()]).toHaveLength(1);
  });
});
