/**
 * Invariant I2: a reader following cursors sees every committed change, even while many
 * transactions commit concurrently and would, with naive version numbering, become
 * visible out of version order.
 */
import type { Mutation } from '@ferry/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrations.ts';
import type { Database, Queryable } from '../src/index.ts';
import { commitBatch } from '../src/storage/commit-batch.ts';
import { readChanges } from '../src/storage/pull.ts';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.ts';

const BATCH = { limits: { maxValueBytes: 1 << 20, maxValueDepth: 64 }, recordCommits: false };

function putMutation(space: string, id: number, key: string): Mutation {
  return { id, space, collection: 'c', key, op: 'put', value: { key } } as unknown as Mutation;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Follows the cursor like a client, collecting every key it is sent. */
class Follower {
  cursor: string | null = null;
  readonly seen: string[] = [];
  /**
   * `watermark` reads how far the follower may read; by default Ferry's own, read before
   * each page (storage/watermark.ts).
   */
  constructor(
    private readonly db: Queryable,
    private readonly space: string,
    private readonly watermark: () => Promise<number | undefined> = async () => undefined,
  ) {}

  async drain(): Promise<void> {
    for (;;) {
      const outcome = await readChanges(this.db, {
        clientId: 'follower',
        userId: 'reader',
        spaces: [this.space],
        cursor: this.cursor,
        limit: 7,
        watermark: await this.watermark(),
      });
      if (!outcome.ok) throw new Error('follower lost its client id');
      const page = JSON.parse(outcome.body.toString('utf8'));
      this.seen.push(...page.changes.map((c: { key: string }) => c.key));
      this.cursor = page.cursor;
      if (!page.hasMore) return;
    }
  }
}

/** Commits one mutation through Ferry's push path, holding the transaction open until `hold` resolves. */
function ferryWrite(
  db: Database,
  space: string,
  clientId: string,
  id: number,
  key: string,
  hold?: Promise<void>,
) {
  return db.transaction(async (tx) => {
    await commitBatch(
      tx,
      [
        {
          origin: 'client',
          userId: clientId,
          spaces: new Set([space]),
          clientId,
          mutations: [putMutation(space, id, key)],
        },
      ],
      BATCH,
    );
    await hold;
  });
}

/**
 * What a naive server does: a version from the sequence per write, with no reservation, and
 * readers that read up to the last version taken, whoever still holds a lower one.
 */
function naiveWrite(db: Database, space: string, key: string, hold?: Promise<void>) {
  return db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO ferry_records (space, collection, key, value, version) VALUES ($1, 'c', $2, '{}', nextval('ferry_versions'))`,
      [space, key],
    );
    await hold;
  });
}

async function naiveWatermark(db: Queryable): Promise<number> {
  const [row] = await db.query<{ last_value: string }>('SELECT last_value FROM ferry_versions');
  return Number(row!.last_value);
}

describe.each(DATABASE_KINDS)('no gaps on $name', (kind) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await kind.create();
    await migrate(test.database);
  });
  afterAll(() => test.dispose());

  it('many concurrent writers: every committed change is seen exactly once', async () => {
    const follower = new Follower(test.database, 'stress');
    const writers = 8;
    const writesEach = 25;
    let done = false;
    const committed: string[] = [];
    const writing = Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 1; i <= writesEach; i++) {
          const key = `w${w}-${i}`;
          // Random hold times make transactions finish in a different order than they began.
          const hold = new Promise<void>((r) => setTimeout(r, Math.floor(Math.random() * 4)));
          await ferryWrite(test.database, 'stress', `writer-${w}`, i, key, hold);
          committed.push(key);
        }
      }),
    ).finally(() => {
      done = true;
    });
    while (!done) {
      await follower.drain();
      await new Promise((r) => setTimeout(r, 1));
    }
    await writing;
    await follower.drain();
    expect(follower.seen.length).toBe(writers * writesEach);
    expect(new Set(follower.seen)).toEqual(new Set(committed));
  });
});

// PGlite runs one transaction at a time: holding one open would block the follower too, so
// only a real server can interleave commits like this.
describe.each(DATABASE_KINDS.filter((k) => k.name === 'postgres'))(
  'late commits on $name',
  (kind) => {
    let test: TestDatabase;
    beforeAll(async () => {
      test = await kind.create();
      await migrate(test.database);
    });
    afterAll(() => test.dispose());

    it('a change that commits late is still seen by a follower that read past it', async () => {
      const follower = new Follower(test.database, 'gate');
      const slow = deferred();
      // The first writer takes its version and holds its transaction open…
      const first = ferryWrite(test.database, 'gate', 'w-slow', 1, 'late', slow.promise);
      await new Promise((r) => setTimeout(r, 50));
      // …while a second writer and the follower go ahead.
      const second = ferryWrite(test.database, 'gate', 'w-fast', 1, 'early');
      await new Promise((r) => setTimeout(r, 50));
      await follower.drain();
      slow.resolve();
      await Promise.all([first, second]);
      await follower.drain();
      expect(follower.seen.sort()).toEqual(['early', 'late']);
    });

    it('the same check catches a naive server that reads up to the last version taken', async () => {
      const follower = new Follower(test.database, 'naive', () => naiveWatermark(test.database));
      const slow = deferred();
      const first = naiveWrite(test.database, 'naive', 'late', slow.promise);
      await new Promise((r) => setTimeout(r, 50));
      await naiveWrite(test.database, 'naive', 'early');
      await follower.drain();
      slow.resolve();
      await first;
      await follower.drain();
      expect(follower.seen).toEqual(['early']);
    });
  },
);
