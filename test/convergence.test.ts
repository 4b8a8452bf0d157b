/**
 * End to end over real HTTP: clients of two users write to private and shared spaces,
 * some while offline, sync in random order, and end identical to the server (I3), with
 * rejected writes rolled back and reported (I4) and every outbox drained.
 */
import {
  createClient,
  createMemoryStore,
  type FerryClient,
  type RejectionEvent,
} from '@ferry/client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '../packages/server/test/support/databases.ts';
import { type RunningServer, startServer } from '../packages/server/test/support/server.ts';

type Item = { n: number; by: string };

interface Device {
  name: string;
  client: FerryClient<{ items: Item }>;
  readable: string[];
  writable: string[];
  online: { value: boolean };
  rejections: RejectionEvent[];
}

const action = fc.oneof(
  fc.record({
    kind: fc.constant('write' as const),
    device: fc.nat(2),
    space: fc.nat(2),
    key: fc.constantFrom('a', 'b', 'c', 'd'),
    op: fc.constantFrom('put', 'patch', 'delete', 'create'),
    n: fc.nat(1000),
  }),
  fc.record({ kind: fc.constant('toggle-network' as const), device: fc.nat(2) }),
  fc.record({ kind: fc.constant('sync' as const), device: fc.nat(2) }),
);

async function serverState(
  server: RunningServer,
  token: string,
  spaces: string[],
): Promise<Record<string, unknown>> {
  const state: Record<string, unknown> = {};
  let cursor: string | null = null;
  for (;;) {
    const page = await server.post(
      '/v1/pull',
      { clientId: `observer-${Math.random().toString(36).slice(2)}`, cursor, spaces },
      token,
    );
    for (const change of page.body.changes) {
      const id = `${change.space}/${change.key}`;
      if (change.value === null) delete state[id];
      else state[id] = change.value;
    }
    cursor = page.body.cursor;
    if (!page.body.hasMore) return state;
  }
}

async function clientState(device: Device): Promise<Record<string, unknown>> {
  const state: Record<string, unknown> = {};
  for (const space of device.readable) {
    for (const row of await device.client.collection('items', { space }).query())
      state[`${space}/${row.key}`] = row.value;
  }
  return state;
}

describe.each(DATABASE_KINDS)('convergence on $name', (kind) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(kind);
  });
  afterAll(() => server.stop());

  it('random writes, outages and sync orders end with every client equal to the server', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 5, maxLength: 40 }), async (actions) => {
        run += 1;
        const [alice, bob, team] = [`alice-${run}`, `bob-${run}`, `team-${run}`];
        const aliceToken = await server.token(`alice-${run}`, [alice, team]);
        const bobToken = await server.token(`bob-${run}`, [bob, team]);
        const device = (name: string, token: string, readable: string[]): Device => {
          const online = { value: true };
          const client = createClient<{ items: Item }>({
            url: server.url,
            store: createMemoryStore(),
            getToken: () => token,
            fetch: (input, init) =>
              online.value
                ? fetch(input, init)
                : Promise.reject(new TypeError('fetch failed: offline')),
          });
          const d: Device = {
            name,
            client,
            readable,
            writable: [...readable],
            online,
            rejections: [],
          };
          client.on('rejected', (event) => d.rejections.push(event));
          return d;
        };
        const devices = [
          device('alice-phone', aliceToken, [alice, team]),
          device('alice-laptop', aliceToken, [alice, team]),
          device('bob', bobToken, [bob, team]),
        ];
        // Bob sometimes writes to Alice's private space: the server must refuse it.
        devices[2]!.writable = [bob, team, alice];
        let forbiddenWrites = 0;

        for (const a of actions) {
          const d = devices[a.device]!;
          if (a.kind === 'toggle-network') d.online.value = !d.online.value;
          else if (a.kind === 'sync') await d.client.sync().catch(() => {});
          else {
            const space = d.writable[a.space % d.writable.length]!;
            if (!d.readable.includes(space)) forbiddenWrites += 1;
            const items = d.client.collection('items', { space });
            if (a.op === 'put') await items.put(a.key, { n: a.n, by: d.name });
            else if (a.op === 'patch') await items.patch(a.key, { n: a.n });
            else if (a.op === 'delete') await items.delete(a.key);
            // Creating only if absent: two devices creating the same key conflict.
            else await items.put(a.key, { n: a.n, by: d.name }, { ifVersion: 0 });
          }
        }

        for (const d of devices) d.online.value = true;
        for (let round = 0; round < 2; round++) for (const d of devices) await d.client.sync();

        const expected = {
          alice: await serverState(server, aliceToken, [alice, team]),
          bob: await serverState(server, bobToken, [bob, team]),
        };
        for (const d of devices) {
          expect(d.client.getStatus().pendingCount).toBe(0);
          expect(await clientState(d)).toEqual(d.name === 'bob' ? expected.bob : expected.alice);
        }
        const bobRejected = devices[2]!.rejections.filter((r) => r.code === 'forbidden').length;
        expect(bobRejected).toBe(forbiddenWrites);
        for (const d of devices) await d.client.close();
      }),
      { numRuns: 12 },
    );
  });
});
