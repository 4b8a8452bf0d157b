/**
 * On PostgreSQL, group-commit transactions may run side by side (`limits.maxConcurrentBatches`):
 * a push that arrives while a transaction runs goes into another at once instead of waiting
 * for it, while one user's pushes still commit one transaction at a time, in the order they
 * came. Embedded PGlite runs one at a time. A transaction is held here before it begins,
 * so what waits for what is read from the queue and the answers, not from timings.
 */
import { describe, expect, it } from 'vitest';
import { createFerryServer, type Database } from '../src/index.ts';
import { DATABASE_KINDS, type TestDatabaseKind } from './support/databases.ts';
import { queuedMutations } from './support/holdable-database.ts';
import { startServer, TEST_SECRET } from './support/server.ts';

/** A database whose next transaction, and only that one, waits until released. */
function holdingNext(kind: TestDatabaseKind) {
  let next: { entered: () => void; held: Promise<void> } | undefined;
  let release = () => {};
  const control = {
    /** Holds the next transaction; resolves once it is waiting. */
    holdNext(): Promise<void> {
      const held = new Promise<void>((resolve) => (release = resolve));
      return new Promise((entered) => (next = { entered, held }));
    },
    release: () => release(),
  };
  const holding: TestDatabaseKind = {
    name: kind.name,
    async create() {
      const created = await kind.create();
      const inner = created.database;
      const database: Database = Object.create(inner);
      database.transaction = async (work) => {
        const hold = next;
        next = undefined;
        if (hold) {
          hold.entered();
          await hold.held;
        }
        return inner.transaction(work);
      };
      return { database, dispose: created.dispose };
    },
  };
  return { holding, control };
}

const put = (space: string, key: string) => ({
  id: 1,
  space,
  collection: 'items',
  key,
  op: 'put',
  value: { key },
});

describe.each(DATABASE_KINDS)('group commits side by side ($name)', (kind) => {
  it("another user's push does not wait for a running transaction; one user's pushes keep their order", async () => {
    const { holding, control } = holdingNext(kind);
    const server = await startServer(holding, { limits: { maxConcurrentBatches: 2 } });
    try {
      const alice = await server.token('alice');
      const bob = await server.token('bob');
      const push = (token: string, clientId: string, space: string) =>
        server.post('/v1/push', { clientId, mutations: [put(space, clientId)] }, token);

      const entered = control.holdNext();
      let laptopAnswered = false;
      const laptop = push(alice, 'alice-laptop', 'alice').finally(() => {
        laptopAnswered = true;
      });
      await entered;
      const bobs = push(bob, 'bob-phone', 'bob');
      // Alice's other device: her lane has a push in flight, so this one waits for it.
      const phone = push(alice, 'alice-phone', 'alice');

      if (kind.name === 'postgres') {
        expect((await bobs).status).toBe(200);
        expect(laptopAnswered).toBe(false);
        await expect.poll(() => queuedMutations(server.url)).toBe(1);
      } else {
        // One connection: both wait for the held transaction.
        await expect.poll(() => queuedMutations(server.url)).toBe(2);
        expect(laptopAnswered).toBe(false);
      }
      control.release();
      const answers = await Promise.all([laptop, bobs, phone]);
      for (const answer of answers) expect(answer.status).toBe(200);
      const [laptopVersion, bobVersion, phoneVersion] = answers.map(
        (answer) => answer.body.results[0].version as number,
      );
      expect(phoneVersion).toBeGreaterThan(laptopVersion!);
      if (kind.name === 'postgres') expect(bobVersion).toBeLessThan(laptopVersion!);

      const pulled = await server.post(
        '/v1/pull',
        { clientId: 'alice-tablet', spaces: ['alice'], cursor: null },
        alice,
      );
      expect(pulled.status).toBe(200);
      expect(pulled.body.changes.map((c: { key: string }) => c.key).sort()).toEqual([
        'alice-laptop',
        'alice-phone',
      ]);
    } finally {
      control.release();
      await server.stop();
    }
  });

  it('refuses a maxConcurrentBatches that is not a whole number of at least 1', async () => {
    const { database, dispose } = await kind.create();
    try {
      await expect(
        createFerryServer({
          database,
          jwtSecret: TEST_SECRET,
          limits: { maxConcurrentBatches: 0 },
        }),
      ).rejects.toThrow(/limits\.maxConcurrentBatches is 0; give a whole number of at least 1/);
    } finally {
      await dispose();
    }
  });
});
