/**
 * Regression: under a steady stream of pushes on embedded PGlite, connections were reset
 * with a request unread. PGlite runs in the server's own thread and settles its queries
 * without returning to the event loop, so the group-commit queue ran one transaction after
 * another while sockets went unread and keep-alive timers expired. The queue now lets the
 * event loop run before it takes each batch.
 */
import { createFerryServer } from '@ferry/server';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from './support/databases.ts';

const WRITERS = 10;
const WRITES_EACH = 20;

describe.each(DATABASE_KINDS)('group commit and the event loop ($name)', (kind) => {
  it('lets the event loop run while writes keep arriving', async () => {
    const { database, dispose } = await kind.create();
    const server = await createFerryServer({
      database,
      jwtSecret: 'push-queue-event-loop-secret-long-enough',
      logger: pino({ level: 'silent' }),
    });
    try {
      let committed = 0;
      // Each writer submits its next write from the previous one's answer, so the queue is
      // never empty until every writer is done.
      const writer = async (w: number) => {
        for (let i = 0; i < WRITES_EACH; i++) {
          await server.write([
            { space: 's', collection: 'c', key: `${w}-${i}`, op: 'put', value: { i } },
          ]);
          committed += 1;
        }
      };
      const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
      // An I/O-phase callback, like reading a socket: when did it get to run?
      const committedWhenIoRan = new Promise<number>((resolve) =>
        setImmediate(() => resolve(committed)),
      );
      await Promise.all(writers);
      expect(committed).toBe(WRITERS * WRITES_EACH);
      // Without the yield it ran only once the queue had drained: after every write.
      expect(await committedWhenIoRan).toBeLessThan(WRITERS * WRITES_EACH);
    } finally {
      await server.close();
      await dispose();
    }
  });
});
