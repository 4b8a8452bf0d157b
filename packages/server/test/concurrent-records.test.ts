/**
 * No lock orders all writers: two transactions that write the same record wait for each
 * other through its row, and one that found a record missing while another was creating it
 * runs again, so every write still sees the one before it (I1, and `ifVersion` keeps its
 * meaning). Only a real server can hold one transaction open while another runs.
 */
import type { Mutation } from '@ferry/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommitQueue } from '../src/commit-queue.ts';
import { migrate } from '../src/db/migrations.ts';
import type { Database } from '../src/index.ts';
import { commitBatch, type WriteJob } from '../src/storage/commit-batch.ts';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.ts';

const BATCH = { limits: { maxValueBytes: 1 << 20, maxValueDepth: 64 }, recordCommits: false };

interface Written {
  id: number;
  key: string;
  op: Mutation['op'];
  value?: Record<string, unknown>;
  ifVersion?: number;
}

function job(clientId: string, mutation: Written): WriteJob {
  return {
    origin: 'client',
    userId: clientId,
    clientId,
    spaces: new Set(['s']),
    mutations: [{ space: 's', collection: 'c', ...mutation } as unknown as Mutation],
  };
}

/** Commits `first` and holds its transaction open until the returned release is called. */
async function heldOpen(database: Database, first: WriteJob) {
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  let committed = () => {};
  const ready = new Promise<void>((resolve) => {
    committed = resolve;
  });
  const done = database.transaction(async (tx) => {
    await commitBatch(tx, [first], BATCH);
    committed();
    await held;
  });
  await ready;
  return { release, done };
}

describe.each(DATABASE_KINDS.filter((k) => k.name === 'postgres'))(
  'writers of one record on $name',
  (kind) => {
    let test: TestDatabase;
    let queue: CommitQueue;
    beforeAll(async () => {
      test = await kind.create();
      await migrate(test.database);
      queue = new CommitQueue({
        database: test.database,
        batch: BATCH,
        maxBatchMutations: 100,
        maxQueuedMutations: 1000,
        maxQueuedMutationsPerUser: 0,
        onCommit: () => {},
      });
    });
    afterAll(() => test.dispose());

    it('a patch of a record another transaction is creating applies on top of it', async () => {
      const first = await heldOpen(
        test.database,
        job('creator', { id: 1, key: 'new', op: 'put', value: { a: 1 } }),
      );
      const second = queue.submit(
        job('patcher', { id: 1, key: 'new', op: 'patch', value: { b: 2 } }),
      );
      await new Promise((r) => setTimeout(r, 100));
      first.release();
      await first.done;
      const outcome = await second;
      expect(outcome.ok && outcome.results[0]?.status).toBe('applied');
      const [row] = await test.database.query<{ value: string }>(
        `SELECT value FROM ferry_records WHERE space = 's' AND key = 'new'`,
      );
      expect(JSON.parse(row!.value)).toEqual({ a: 1, b: 2 });
    });

    it('of two writers that each create a record only if it does not exist, one is refused', async () => {
      const first = await heldOpen(
        test.database,
        job('first', { id: 1, key: 'once', op: 'put', value: { by: 1 }, ifVersion: 0 }),
      );
      const second = queue.submit(
        job('second', { id: 1, key: 'once', op: 'put', value: { by: 2 }, ifVersion: 0 }),
      );
      await new Promise((r) => setTimeout(r, 100));
      first.release();
      await first.done;
      const outcome = await second;
      expect(outcome.ok && outcome.results[0]).toMatchObject({
        status: 'rejected',
        error: { code: 'conflict' },
      });
    });

    it('a write to a record another transaction holds waits for it and takes a higher version', async () => {
      const first = await heldOpen(
        test.database,
        job('one', { id: 2, key: 'new', op: 'patch', value: { c: 3 } }),
      );
      const second = queue.submit(job('two', { id: 1, key: 'new', op: 'patch', value: { d: 4 } }));
      await new Promise((r) => setTimeout(r, 100));
      first.release();
      await first.done;
      const outcome = await second;
      const [row] = await test.database.query<{ value: string; version: string }>(
        `SELECT value, version FROM ferry_records WHERE space = 's' AND key = 'new'`,
      );
      expect(JSON.parse(row!.value)).toEqual({ a: 1, b: 2, c: 3, d: 4 });
      const applied = outcome.ok ? outcome.results[0] : undefined;
      expect(applied?.status === 'applied' && applied.version).toBe(Number(row!.version));
    });
  },
);
