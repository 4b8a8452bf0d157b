/**
 * Bulk writes over real HTTP: many local mutations in one commit, pushed in batches of the
 * push batch size, each applied on the server exactly once even when responses are lost;
 * subscribers hear of a batch once; a batch with one bad value writes nothing.
 */
import {
  createClient,
  createMemoryStore,
  type FerryClient,
  FerryValidationError,
  type Row,
} from '@ferry/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '../packages/server/test/support/databases.ts';
import { type RunningServer, startServer } from '../packages/server/test/support/server.ts';

type Schema = { items: { n: number; tag?: string } };

const RECORDS = 20_000;
const BATCH = 500;

describe.each(DATABASE_KINDS)('bulk writes on $name', (kind) => {
  let server: RunningServer;
  /** Keys of the 'bulk' space a put found already written: each is put once, so none should be. */
  const reapplied: string[] = [];
  beforeAll(async () => {
    server = await startServer(kind, {
      rules: {
        beforeWrite(context, write) {
          if (write.space === 'bulk' && context.current !== null) reapplied.push(write.key);
          if (write.space === 'rollback' && write.key === 'k2') return { reject: 'not k2' };
          return undefined;
        },
      },
    });
  });
  afterAll(() => server.stop());

  const open = async (user: string, more: { fetch?: typeof fetch } = {}) => {
    const token = await server.token(user, [user]);
    return createClient<Schema>({
      url: server.url,
      store: createMemoryStore(),
      getToken: () => token,
      defaultSpace: user,
      pushBatchSize: BATCH,
      schedule: { triggers: [] },
      ...more,
    });
  };

  /** Syncs until nothing waits to be pushed (a lost response fails a run; the next resends). */
  const drain = async (client: FerryClient<Schema>) => {
    for (let attempt = 0; attempt < 100; attempt++) {
      await client.sync().catch(() => {});
      if (client.getStatus().pendingCount === 0) return;
    }
    throw new Error(`still pending: ${client.getStatus().pendingCount}`);
  };

  it(`${RECORDS} bulk-put records reach the server exactly once, in batches, with responses lost`, async () => {
    const pushed: number[][] = [];
    let pushes = 0;
    // Every third push reaches the server but its answer is lost, so its batch is sent again.
    const losing: typeof fetch = async (input, init) => {
      const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
      const response = await fetch(input, init);
      if (!path.endsWith('/v1/push')) return response;
      const body = JSON.parse(new TextDecoder().decode(init?.body as Uint8Array)) as {
        mutations: { id: number }[];
      };
      pushed.push(body.mutations.map((m) => m.id));
      if (++pushes % 3 === 0) {
        await response.body?.cancel();
        throw new TypeError('fetch failed');
      }
      return response;
    };
    const client = await open('bulk', { fetch: losing });
    try {
      const items = client.collection('items');
      await items.bulkPut(Array.from({ length: RECORDS }, (_, n) => [`k${n}`, { n }] as const));
      expect(client.getStatus().pendingCount).toBe(RECORDS);
      expect(await items.count()).toBe(RECORDS);
      await drain(client);

      // Each mutation kept its own id; no request carried more than a batch.
      const ids = new Set(pushed.flat());
      expect(ids.size).toBe(RECORDS);
      expect(Math.max(...pushed.map((batch) => batch.length))).toBeLessThanOrEqual(BATCH);
      const answered = pushed.filter((_, i) => (i + 1) % 3 !== 0);
      expect(answered.length).toBe(RECORDS / BATCH);

      // Applied once each: no put found its record already written, and every record is there.
      expect(reapplied).toEqual([]);
      const [stats] = await server.database.query<{ records: string }>(
        `SELECT count(*) AS records FROM ferry_records
          WHERE space = 'bulk' AND collection = 'items' AND value IS NOT NULL`,
      );
      expect(Number(stats?.records)).toBe(RECORDS);
      const [last] = await server.database.query<{ last_mutation_id: string }>(
        'SELECT last_mutation_id FROM ferry_clients WHERE client_id = $1',
        [await client.getClientId()],
      );
      expect(Number(last?.last_mutation_id)).toBe(Math.max(...ids));

      // Another device sees every record, once.
      const other = await open('bulk');
      try {
        await other.sync();
        const rows = await other.collection('items').query();
        expect(rows.length).toBe(RECORDS);
        expect(rows.every((row) => row.value.n === Number(row.key.slice(1)))).toBe(true);
      } finally {
        await other.close();
      }
    } finally {
      await client.close();
    }
  }, 180_000);

  it('tells a subscriber and a live query once per batch, and bulkDelete removes many', async () => {
    const client = await open('notify');
    try {
      const items = client.collection('items');
      const seen: Row<Schema['items']>[][] = [];
      const window: Row<Schema['items']>[][] = [];
      const stop = items.subscribe((rows) => seen.push(rows));
      const stopWindow = items.subscribe({ order: 'desc', limit: 3 }, (rows) => window.push(rows));
      await expect.poll(() => [seen.length, window.length]).toEqual([1, 1]);

      await items.bulkPut({ a: { n: 1 }, b: { n: 2 }, c: { n: 3 }, d: { n: 4 } });
      await expect.poll(() => seen.length).toBe(2);
      await expect.poll(() => window.length).toBe(2);
      expect(seen[1]?.map((row) => row.key)).toEqual(['a', 'b', 'c', 'd']);
      expect(window[1]?.map((row) => row.key)).toEqual(['d', 'c', 'b']);

      await items.bulkDelete(['b', 'd']);
      await expect.poll(() => seen.length).toBe(3);
      await expect.poll(() => window.length).toBe(3);
      expect(seen[2]?.map((row) => row.key)).toEqual(['a', 'c']);
      // Nothing more arrives for either batch.
      await items.get('a');
      expect([seen.length, window.length]).toEqual([3, 3]);
      stop();
      stopWindow();

      await drain(client);
      const [stats] = await server.database.query<{ records: string }>(
        `SELECT count(*) AS records FROM ferry_records
          WHERE space = 'notify' AND collection = 'items' AND value IS NOT NULL`,
      );
      expect(Number(stats?.records)).toBe(2);
    } finally {
      await client.close();
    }
  });

  it('writes nothing from a batch with one invalid value, and names it', async () => {
    const client = await open('invalid');
    try {
      const items = client.collection('items');
      const seen: number[] = [];
      const stop = items.subscribe((rows) => seen.push(rows.length));
      await expect.poll(() => seen.length).toBe(1);
      const entries: [string, Schema['items']][] = Array.from({ length: 100 }, (_, n) => [
        `k${n}`,
        { n },
      ]);
      entries[57] = ['k57', { n: 57, tag: undefined }];
      const error = await items.bulkPut(entries).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FerryValidationError);
      expect((error as Error).message).toMatch(/put\("k57"\).*value\.tag is undefined/);
      await expect(items.bulkDelete(['k1', ''])).rejects.toThrow(FerryValidationError);

      expect(client.getStatus().pendingCount).toBe(0);
      expect(await items.count()).toBe(0);
      expect(seen).toEqual([0]);
      stop();
      await drain(client);
      expect(
        await server.database.query(
          `SELECT key FROM ferry_records WHERE space = 'invalid' AND collection = 'items'`,
        ),
      ).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('rolls back and reports a rejected mutation of a batch alone', async () => {
    const client = await open('rollback');
    try {
      const items = client.collection('items');
      const rejected: string[] = [];
      client.on('rejected', (event) => rejected.push(`${event.mutation.key}: ${event.message}`));
      await items.bulkPut([0, 1, 2, 3].map((n) => [`k${n}`, { n }] as const));
      await drain(client);
      expect(rejected).toEqual([expect.stringMatching(/^k2: .*not k2/)]);
      expect((await items.query()).map((row) => [row.key, row.pending])).toEqual([
        ['k0', false],
        ['k1', false],
        ['k3', false],
      ]);
    } finally {
      await client.close();
    }
  });
});
