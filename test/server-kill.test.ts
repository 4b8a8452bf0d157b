/**
 * Invariant I1 through a crash: clients push hard while the server process is killed with
 * SIGKILL and started again. Every mutation takes effect exactly once — each creates its
 * own record only if it does not exist yet, so a second application would come back as a
 * conflict — and every client ends equal to the server. On PostgreSQL, and on embedded
 * PGlite with its data folder.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, createMemoryStore, type RejectionEvent } from '@ferry/client';
import { dropPostgresSchema } from '@ferry/server';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS, DATABASE_URL } from '../packages/server/test/support/databases.ts';
import { startServeProcess } from '../packages/server/test/support/serve-process.ts';
import { TEST_SECRET } from '../packages/server/test/support/server.ts';
import { syncUntilDone } from '../packages/server/test/support/sync-until-done.ts';

const CLIENTS = 4;
const WRITES_EACH = 150;

const token = (user: string) =>
  new SignJWT({ spaces: [user, 'shared'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user)
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(TEST_SECRET));

const setups = [
  ...DATABASE_KINDS.filter((k) => k.name === 'postgres').map(() => ({
    name: 'postgres',
    env: () => {
      const schema = `ferry_test_${randomBytes(6).toString('hex')}`;
      return {
        env: { DATABASE_URL, FERRY_DATABASE_SCHEMA: schema },
        cleanup: () => dropPostgresSchema(DATABASE_URL, schema),
      };
    },
  })),
  {
    name: 'pglite',
    env: () => {
      const dir = mkdtempSync(join(tmpdir(), 'ferry-kill-'));
      return {
        env: { FERRY_DATA_DIR: dir },
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
];

describe.each(setups)('SIGKILL under load on $name', (setup) => {
  it('every mutation lands exactly once and clients converge', { timeout: 180_000 }, async () => {
    const { env, cleanup } = setup.env();
    const port = 20000 + Math.floor(Math.random() * 30000);
    let server = (await startServeProcess(env, port)).child;
    const url = `http://127.0.0.1:${port}`;
    const rejections: RejectionEvent[] = [];
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        const t = await token(`user${c}`);
        const client = createClient<{ items: { c: number; i: number } }>({
          url,
          store: createMemoryStore(),
          getToken: () => t,
          defaultSpace: 'shared',
          pushBatchSize: 20,
        });
        client.on('rejected', (r) => rejections.push(r));
        return client;
      }),
    );
    try {
      // Writers: each write is followed by a sync attempt that may fail while the server is down.
      const writing = clients.map(async (client, c) => {
        for (let i = 0; i < WRITES_EACH; i++) {
          await client.collection('items').put(`c${c}-${i}`, { c, i }, { ifVersion: 0 });
          if (i % 10 === 9) await client.sync().catch(() => {});
        }
      });
      // Kill the server twice in the middle of it, and start it again on the same port and data.
      for (let round = 0; round < 2; round++) {
        await new Promise((r) => setTimeout(r, 400));
        server.kill('SIGKILL');
        await new Promise((r) => server.once('exit', r));
        await new Promise((r) => setTimeout(r, 200));
        server = (await startServeProcess(env, port)).child;
      }
      await Promise.all(writing);
      for (const client of clients) await syncUntilDone(client);
      for (const client of clients) await syncUntilDone(client);

      expect(rejections).toEqual([]);
      const expected = CLIENTS * WRITES_EACH;
      for (const client of clients) {
        const rows = await client.collection('items').query();
        expect(rows).toHaveLength(expected);
        expect(rows.every((r) => !r.pending && r.version !== null)).toBe(true);
      }
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      server.kill('SIGKILL');
      await cleanup();
    }
  });
});
