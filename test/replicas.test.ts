/**
 * Several server replicas on one PostgreSQL: a commit on any replica pokes the event
 * streams of every replica; a replica whose notification connection drops reconnects and
 * pokes its streams so their clients catch up; replicas that are killed and restarted as
 * processes lose nothing a client needs.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createClient, createMemoryStore, type FerryClient } from '@ferry/client';
import {
  createFerryServer,
  createLogger,
  createPostgresDatabase,
  dropPostgresSchema,
  type Listening,
  listen,
} from '@ferry/server';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS, DATABASE_URL } from '../packages/server/test/support/databases.ts';
import { startServeProcess } from '../packages/server/test/support/serve-process.ts';
import { TEST_SECRET } from '../packages/server/test/support/server.ts';

type Notes = { notes: { text: string } };
const postgresKinds = DATABASE_KINDS.filter((k) => k.name === 'postgres');

function liveClient(url: string, token: string): FerryClient<Notes> {
  return createClient<Notes>({
    url,
    store: createMemoryStore(),
    getToken: () => token,
    defaultSpace: 'shared',
    live: true,
  });
}

describe.each(postgresKinds)('replicas in one process on $name', () => {
  const schema = `ferry_test_${randomBytes(6).toString('hex')}`;
  const replicas: {
    http: Listening;
    close: () => Promise<void>;
    token: (u: string) => Promise<string>;
  }[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) {
      const database = createPostgresDatabase({ connectionString: DATABASE_URL, schema });
      const ferry = await createFerryServer({
        database,
        jwtSecret: TEST_SECRET,
        logger: createLogger('silent'),
      });
      const http = await listen(ferry);
      replicas.push({
        http,
        token: (u) => ferry.signToken({ userId: u, spaces: [u, 'shared'] }, 600),
        close: async () => {
          await http.close();
          await database.close();
        },
      });
    }
  });
  afterAll(async () => {
    for (const r of replicas) await r.close();
    await dropPostgresSchema(DATABASE_URL, schema);
  });

  it('a write through one replica reaches clients connected to the others through pokes', async () => {
    const [a, b, c] = replicas as [
      (typeof replicas)[0],
      (typeof replicas)[0],
      (typeof replicas)[0],
    ];
    const ann = liveClient(a.http.url, await a.token('ann'));
    const bob = liveClient(b.http.url, await b.token('bob'));
    const cat = liveClient(c.http.url, await c.token('cat'));
    try {
      for (const client of [ann, bob, cat])
        await expect.poll(() => client.getStatus().live, { timeout: 10_000 }).toBe('open');
      await bob.collection('notes').put('n1', { text: 'via replica B' });
      await bob.sync();
      await expect
        .poll(() => ann.collection('notes').get('n1'), { timeout: 10_000 })
        .toEqual({ text: 'via replica B' });
      await expect
        .poll(() => cat.collection('notes').get('n1'), { timeout: 10_000 })
        .toEqual({ text: 'via replica B' });
    } finally {
      await Promise.all([ann.close(), bob.close(), cat.close()]);
    }
  });

  it('a replica that loses its notification connection reconnects and its clients catch up', async () => {
    const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
    const ann = liveClient(a.http.url, await a.token('ann'));
    const bob = liveClient(b.http.url, await b.token('bob'));
    try {
      for (const client of [ann, bob])
        await expect.poll(() => client.getStatus().live, { timeout: 10_000 }).toBe('open');
      // Cut every LISTEN connection of the test's schema, then write while they are down.
      const admin = new pg.Client({ connectionString: DATABASE_URL });
      await admin.connect();
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1`, [
        `LISTEN ferry_${schema}`,
      ]);
      await admin.end();
      await bob.collection('notes').put('n2', { text: 'during the cut' });
      await bob.sync();
      await expect
        .poll(() => ann.collection('notes').get('n2'), { timeout: 15_000 })
        .toEqual({ text: 'during the cut' });
    } finally {
      await Promise.all([ann.close(), bob.close()]);
    }
  });
});

const killed = (child: ChildProcess) => new Promise((r) => child.once('exit', r));

describe.each(postgresKinds)('replica processes on $name', () => {
  const schema = `ferry_test_${randomBytes(6).toString('hex')}`;
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await dropPostgresSchema(DATABASE_URL, schema);
  });

  it('clients on two processes converge, and a replica killed with SIGKILL and restarted loses nothing', {
    timeout: 120_000,
  }, async () => {
    const one = await startServeProcess({ DATABASE_URL, FERRY_DATABASE_SCHEMA: schema }, 0);
    children.push(one.child);
    const portTwo = 20000 + Math.floor(Math.random() * 20000);
    let two = await startServeProcess({ DATABASE_URL, FERRY_DATABASE_SCHEMA: schema }, portTwo);
    children.push(two.child);
    const sign = async (user: string) => {
      const { SignJWT } = await import('jose');
      return new SignJWT({ spaces: [user, 'shared'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(user)
        .setExpirationTime('10m')
        .sign(new TextEncoder().encode(TEST_SECRET));
    };
    const ann = liveClient(one.url, await sign('ann'));
    const bob = liveClient(two.url, await sign('bob'));
    try {
      for (const client of [ann, bob])
        await expect.poll(() => client.getStatus().live, { timeout: 15_000 }).toBe('open');
      await ann.collection('notes').put('a1', { text: 'from ann on one' });
      await ann.sync();
      await expect
        .poll(() => bob.collection('notes').get('a1'), { timeout: 15_000 })
        .toEqual({ text: 'from ann on one' });

      // Bob's replica dies mid-stream; Ann writes meanwhile; the replica comes back on the same port.
      two.child.kill('SIGKILL');
      await killed(two.child);
      await ann.collection('notes').put('a2', { text: 'while two was down' });
      await ann.sync();
      two = await startServeProcess({ DATABASE_URL, FERRY_DATABASE_SCHEMA: schema }, portTwo);
      children.push(two.child);
      // Bob's live stream reconnects by itself and the first poke brings him up to date.
      await expect
        .poll(() => bob.collection('notes').get('a2'), { timeout: 30_000 })
        .toEqual({ text: 'while two was down' });
      await bob.collection('notes').put('b1', { text: 'bob is back' });
      await bob.sync();
      await expect
        .poll(() => ann.collection('notes').get('b1'), { timeout: 15_000 })
        .toEqual({ text: 'bob is back' });
    } finally {
      await Promise.all([ann.close(), bob.close()]);
    }
  });
});
