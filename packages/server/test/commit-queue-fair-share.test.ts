/**
 * One user's push flood must not hold up everyone else's pushes. Waiting pushes go into
 * transactions one user's after another's, so a push from a user with nothing waiting is
 * committed in the next transaction or the one after, however many one user has queued;
 * and one user may have at most `limits.maxQueuedMutationsPerUser` waiting (429 beyond it),
 * so a flood cannot fill the queue for everyone.
 *
 * The order is read from the versions the commits got, not from the time anything took:
 * a database whose transactions are held keeps the flood queued until the other push has
 * joined it. One transaction runs at a time here (on PostgreSQL several may, and the other
 * push would not wait at all: commit-queue-side-by-side.test.ts), so every push after the
 * held one waits in the queue.
 */
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from './support/databases.ts';
import { holdableKind, queuedMutations } from './support/holdable-database.ts';
import { startServer } from './support/server.ts';

const put = (space: string, key: string) => ({
  id: 1,
  space,
  collection: 'items',
  key,
  op: 'put',
  value: { key },
});

/** Most mutations in one transaction here: a flood of one-mutation pushes spans many. */
const BATCH = 5;
const FLOOD = 40;

describe.each(DATABASE_KINDS)('commit queue fair share ($name)', (kind) => {
  it("a push from a user with nothing waiting is committed within two batches of a flood's", async () => {
    const { holdable, control } = holdableKind(kind);
    const server = await startServer(holdable, {
      limits: { maxBatchMutations: BATCH, maxConcurrentBatches: 1 },
    });
    try {
      const flooder = await server.token('flooder');
      const other = await server.token('other');
      const push = (token: string, clientId: string, space: string) =>
        server.post('/v1/push', { clientId, mutations: [put(space, clientId)] }, token);

      const holding = control.hold();
      // Taken into a transaction, which waits: everything after it queues.
      const first = push(flooder, 'flood-0', 'flooder');
      await holding;
      const flood = Array.from({ length: FLOOD }, (_, i) =>
        push(flooder, `flood-${i + 1}`, 'flooder'),
      );
      await expect.poll(() => queuedMutations(server.url)).toBe(FLOOD);
      const late = push(other, 'other-1', 'other');
      await expect.poll(() => queuedMutations(server.url)).toBe(FLOOD + 1);
      control.release();

      const answers = await Promise.all([first, ...flood, late]);
      for (const answer of answers) expect(answer.status).toBe(200);
      const versionOf = (answer: (typeof answers)[number]) =>
        answer.body.results[0].version as number;
      const floodVersions = answers.slice(0, FLOOD + 1).map(versionOf);
      const lateVersion = versionOf(answers[FLOOD + 1]!);
      // The held batch took version 1. First come, first served, the late push would come
      // after the whole flood (version 42); taken in turn, it is in the next batch or the one
      // after: at most two batches of versions later.
      expect(floodVersions[0]).toBe(1);
      expect(lateVersion).toBeLessThanOrEqual(1 + 2 * BATCH);
      expect(floodVersions.filter((v) => v > lateVersion).length).toBeGreaterThan(
        FLOOD - 2 * BATCH,
      );
    } finally {
      control.release();
      await server.stop();
    }
  });

  it("refuses one user's pushes beyond their share of the queue with 429; others still queue", async () => {
    const { holdable, control } = holdableKind(kind);
    const server = await startServer(holdable, {
      limits: { maxQueuedMutationsPerUser: 10, maxConcurrentBatches: 1 },
    });
    try {
      const flooder = await server.token('flooder');
      const other = await server.token('other');
      const push = (token: string, clientId: string, space: string) =>
        server.post('/v1/push', { clientId, mutations: [put(space, clientId)] }, token);

      const holding = control.hold();
      const first = push(flooder, 'flood-0', 'flooder');
      await holding;
      const flood = Array.from({ length: 14 }, (_, i) =>
        push(flooder, `flood-${i + 1}`, 'flooder'),
      );
      await expect.poll(() => queuedMutations(server.url)).toBe(10);
      // The flooder's lane is full, not the queue: another user's push still waits its turn.
      const late = push(other, 'other-1', 'other');
      await expect.poll(() => queuedMutations(server.url)).toBe(11);
      control.release();

      expect((await first).status).toBe(200);
      expect((await late).status).toBe(200);
      const answers = await Promise.all(flood);
      const refused = answers.filter((a) => a.status !== 200);
      expect(answers.length - refused.length).toBe(10);
      expect(refused).toHaveLength(4);
      for (const answer of refused) {
        expect(answer.status).toBe(429);
        expect(answer.body.error.code).toBe('rate_limited');
        expect(answer.headers.get('retry-after')).toBe('1');
      }
      // A refused push changed nothing.
      const [row] = await server.database.query<{ n: string | number }>(
        "SELECT count(*) AS n FROM ferry_records WHERE space = 'flooder'",
      );
      expect(Number(row?.n)).toBe(11);
    } finally {
      control.release();
      await server.stop();
    }
  });
});
