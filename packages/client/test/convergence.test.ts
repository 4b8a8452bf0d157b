/**
 * Model-based check of the engine against the fake server: random writes (some
 * conditional, so some get rejected), syncs that lose their push response, and restarts,
 * on two clients of one space, with the scheduler's own background runs (on start and
 * after local writes) interleaving. After a quiet sync both clients hold exactly the server's
 * data (I3), every write took effect exactly once unless refused (I1), and nothing is
 * left pending.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClient, type FerryClient, type RejectionEvent } from '../src/index.ts';
import { createMemoryStore } from '../src/memory-store.ts';
import type { Store } from '../src/store.ts';
import { BASE_URL } from './support/fake-server.ts';
import { ALICE_TOKEN, createServer, type Schema } from './support/harness.ts';

const who = fc.constantFrom(0, 1);
const key = fc.constantFrom('a', 'b', 'c');
const small = fc.integer({ min: 0, max: 9 });
const command = fc.oneof(
  fc.record({ kind: fc.constant('put' as const), who, key, n: small, conditional: fc.boolean() }),
  fc.record({
    kind: fc.constant('patch' as const),
    who,
    key,
    n: fc.option(small, { nil: null }),
    conditional: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('delete' as const), who, key, conditional: fc.boolean() }),
  fc.record({ kind: fc.constant('sync' as const), who, losePushResponse: fc.boolean() }),
  fc.record({ kind: fc.constant('restart' as const), who }),
);

type Row = { key: string; value: unknown };

describe('convergence under lost responses, rejections and restarts', () => {
  it('ends with every client equal to the server and every write applied at most once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { maxLength: 40 }), async (commands) => {
        const server = createServer();
        const stores: Store[] = [createMemoryStore(), createMemoryStore()];
        const rejections: RejectionEvent[] = [];
        const open = (store: Store) => {
          const client = createClient<Schema>({
            url: BASE_URL,
            store,
            getToken: () => ALICE_TOKEN,
            defaultSpace: 'team',
            fetch: server.fetch,
          });
          client.on('rejected', (event) => rejections.push(event));
          return client;
        };
        const clients: FerryClient<Schema>[] = stores.map(open);
        let writes = 0;

        for (const c of commands) {
          const client = clients[c.who]!;
          const todos = client.collection('todos');
          if (c.kind === 'sync') {
            server.losePushResponses = c.losePushResponse ? 1 : 0;
            await client.sync().catch(() => {});
            server.losePushResponses = 0;
          } else if (c.kind === 'restart') {
            await client.close();
            clients[c.who] = open(stores[c.who]!);
          } else {
            const row = (await todos.query()).find((r) => r.key === c.key);
            const options = c.conditional ? { ifVersion: row?.version ?? 0 } : {};
            if (c.kind === 'put') await todos.put(c.key, { title: `${c.n}` }, options);
            else if (c.kind === 'patch')
              await todos.patch(c.key, { note: c.n === null ? null : `${c.n}` }, options);
            else await todos.delete(c.key, options);
            writes += 1;
          }
        }

        for (const client of [...clients, ...clients]) await client.sync();

        const expected = Object.entries(server.recordsOf('team', 'todos'))
          .map(([key, value]) => ({ key, value }))
          .sort((a, b) => (a.key < b.key ? -1 : 1));
        for (const client of clients) {
          const rows: Row[] = (await client.collection('todos').query()).map(({ key, value }) => ({
            key,
            value,
          }));
          expect(rows).toEqual(expected);
          expect(client.getStatus().pendingCount).toBe(0);
          await client.close();
        }
        expect(server.appliedCount + server.rejectedCount).toBe(writes);
        // A rejection whose response was lost (or whose run a restart cut) comes back
        // with the duplicate: every rejection is reported once.
        expect(rejections).toHaveLength(server.rejectedCount);
      }),
      { numRuns: 100 },
    );
  });
});
