/**
 * Invariant I2 across server processes: several `ferry serve` processes on one PostgreSQL
 * schema, each with its own pool, commit pushes at the same time (versions come from one
 * sequence and their transactions end in any order), while readers follow cursors through
 * all of them. Every reader ends holding exactly the database's final state: a change it
 * had skipped would leave a key missing or an older value.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dropPostgresSchema } from '@ferry/server';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS, DATABASE_URL } from '../packages/server/test/support/databases.ts';
import { startServeProcess } from '../packages/server/test/support/serve-process.ts';
import { TEST_SECRET } from '../packages/server/test/support/server.ts';

const postgresKinds = DATABASE_KINDS.filter((k) => k.name === 'postgres');

const SERVERS = 3;
const WRITERS = 8;
const PUSHES_EACH = 30;
const READERS = 4;
/** Keys every writer also overwrites, so that writers wait for one another's record locks. */
const SHARED_KEYS = 5;

interface PulledChange {
  key: string;
  version: number;
  value: Record<string, unknown> | null;
}

interface PullPage {
  changes: PulledChange[];
  cursor: string;
  cursorVersion: number;
  hasMore: boolean;
}

async function token(user: string): Promise<string> {
  const { SignJWT } = await import('jose');
  return new SignJWT({ spaces: ['shared'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user)
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(TEST_SECRET));
}

async function post<T>(url: string, path: string, bearer: string, body: unknown): Promise<T> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Follows the cursor through any of the servers, keeping the latest state of each key. */
class Reader {
  private cursor: string | null = null;
  cursorVersion = 0;
  readonly state = new Map<string, PulledChange>();
  constructor(
    private readonly id: string,
    private readonly bearer: string,
  ) {}

  async pullOnce(urls: readonly string[]): Promise<void> {
    for (;;) {
      const page = await post<PullPage>(pick(urls), '/v1/pull', this.bearer, {
        clientId: this.id,
        cursor: this.cursor,
        limit: 13,
      });
      for (const change of page.changes) this.state.set(change.key, change);
      this.cursor = page.cursor;
      this.cursorVersion = page.cursorVersion;
      if (!page.hasMore) return;
    }
  }

  /** Live values only, as a client's store would hold them. */
  values(): Map<string, unknown> {
    const live = new Map<string, unknown>();
    for (const [key, change] of this.state) if (change.value !== null) live.set(key, change.value);
    return live;
  }
}

describe.each(postgresKinds)('several server processes committing at once on $name', () => {
  const schema = `ferry_test_${randomBytes(6).toString('hex')}`;
  const children: ChildProcess[] = [];
  const urls: string[] = [];

  beforeAll(async () => {
    // Started one by one: the first migrates, the others find the schema ready.
    for (let i = 0; i < SERVERS; i++) {
      const started = await startServeProcess({ DATABASE_URL, FERRY_DATABASE_SCHEMA: schema }, 0);
      children.push(started.child);
      urls.push(started.url);
    }
  }, 120_000);

  afterAll(async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(
      children.map((child) =>
        child.exitCode === null ? new Promise((r) => child.once('exit', r)) : undefined,
      ),
    );
    await dropPostgresSchema(DATABASE_URL, schema);
  });

  it('no reader following cursors through any server skips a change', async () => {
    const readers = await Promise.all(
      Array.from(
        { length: READERS },
        async (_, r) => new Reader(`reader-${r}`, await token(`r${r}`)),
      ),
    );
    let highestApplied = 0;
    /** Each key's highest applied version: the record must hold that write. */
    const latest = new Map<string, number>();
    let writing = true;

    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      const bearer = await token(`w${w}`);
      let id = 0;
      for (let p = 0; p < PUSHES_EACH; p++) {
        const mutations = [
          { key: `w${w}-${p}`, value: { writer: w, push: p } },
          {
            key: `shared-${Math.floor(Math.random() * SHARED_KEYS)}`,
            value: { writer: w, push: p },
          },
        ].map((m) => ({
          id: ++id,
          space: 'shared',
          collection: 'c',
          op: 'put',
          ...m,
        }));
        // A deletion now and then, of a key this writer wrote before.
        if (p > 2 && p % 7 === 0)
          mutations.push({
            id: ++id,
            space: 'shared',
            collection: 'c',
            op: 'delete',
            key: `w${w}-${p - 3}`,
          } as (typeof mutations)[number]);
        const answer = await post<{ results: { status: string; version?: number }[] }>(
          pick(urls),
          '/v1/push',
          bearer,
          { clientId: `writer-${w}`, mutations },
        );
        for (const [i, result] of answer.results.entries()) {
          expect(result.status).toBe('applied');
          const version = result.version ?? 0;
          highestApplied = Math.max(highestApplied, version);
          const key = mutations[i]!.key;
          latest.set(key, Math.max(latest.get(key) ?? 0, version));
        }
      }
    });

    const following = readers.map(async (reader) => {
      while (writing) {
        await reader.pullOnce(urls);
        await pause(Math.floor(Math.random() * 3));
      }
    });

    await Promise.all(writers);
    writing = false;
    await Promise.all(following);

    // Each server learns the others' commits from their notifications, or reads the
    // watermark again once what it knows is a second old: follow until every reader has
    // passed the last applied version.
    for (const reader of readers) {
      const started = Date.now();
      while (reader.cursorVersion < highestApplied) {
        if (Date.now() - started > 20_000)
          throw new Error(`${reader.cursorVersion} never reached ${highestApplied}`);
        await reader.pullOnce(urls);
        await pause(20);
      }
    }

    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    const final = new Map<string, unknown>();
    const versions = new Map<string, number>();
    try {
      const { rows } = await client.query<{ key: string; value: string | null; version: string }>(
        `SELECT key, value, version FROM ${schema}.ferry_records WHERE space = 'shared'`,
      );
      for (const row of rows) {
        versions.set(row.key, Number(row.version));
        if (row.value !== null) final.set(row.key, JSON.parse(row.value));
      }
    } finally {
      await client.end();
    }
    // A record's versions rise in the order its writers commit: it holds its highest one.
    expect(versions).toEqual(latest);
    expect(final.size).toBeGreaterThan(WRITERS * PUSHES_EACH * 0.8);
    for (const reader of readers) expect(reader.values()).toEqual(final);
  }, 120_000);
});
