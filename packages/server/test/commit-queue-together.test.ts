/**
 * Pushes that reach the server together commit together. A push reaches the queue in the
 * microtasks of its socket's callback, before the event loop calls those of the other
 * sockets that were readable at the same time, and with embedded PGlite the transaction ran
 * right there: under load every push found the queue empty and committed alone (about 400
 * transactions a second for 1,000 writes a second, the server's thread never idle). Here
 * rounds of pushes sent at once over their own connections, against real HTTP, must share
 * transactions.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createFerryServer, type Database, listen } from '../src/index.ts';
import { DATABASE_KINDS } from './support/databases.ts';

const CLIENTS = 20;
const ROUNDS = 5;

/** The database, counting the transactions run on it. */
function counting(database: Database): { database: Database; transactions: () => number } {
  let transactions = 0;
  return {
    database: Object.assign(Object.create(database) as Database, {
      transaction: ((work) => {
        transactions++;
        return database.transaction(work);
      }) as Database['transaction'],
    }),
    transactions: () => transactions,
  };
}

describe.each(DATABASE_KINDS)('pushes reaching the server together ($name)', (kind) => {
  it('share transactions instead of committing one by one', async () => {
    const created = await kind.create();
    const counted = counting(created.database);
    const server = await createFerryServer({
      database: counted.database,
      jwtSecret: 'push-arrivals-secret-that-is-long-enough',
      logger: pino({ level: 'silent' }),
    });
    const listening = await listen(server);
    try {
      const tokens = await Promise.all(
        Array.from({ length: CLIENTS }, (_, c) =>
          server.signToken({ userId: `u${c}`, spaces: [`s${c}`] }, 600),
        ),
      );
      let nextId = 1;
      const round = async () => {
        const id = nextId++;
        const answers = await Promise.all(
          tokens.map((token, c) =>
            fetch(`${listening.url}/v1/push`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
              body: JSON.stringify({
                clientId: `client-${c}`,
                mutations: [
                  { id, space: `s${c}`, collection: 'c', key: `k${id}`, op: 'put', value: { id } },
                ],
              }),
            }),
          ),
        );
        for (const answer of answers) expect(answer.status).toBe(200);
        await Promise.all(answers.map((a) => a.text()));
      };
      // The first round opens the connections; the rounds after it are what is counted.
      await round();
      const before = counted.transactions();
      for (let r = 0; r < ROUNDS; r++) await round();
      const transactions = counted.transactions() - before;
      // One by one would be CLIENTS × ROUNDS (100); together, a few per round.
      expect(transactions).toBeLessThanOrEqual((CLIENTS * ROUNDS) / 4);
    } finally {
      await listening.close();
      await created.dispose();
    }
  }, 60_000);
});
