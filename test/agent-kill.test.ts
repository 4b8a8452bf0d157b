/**
 * `kill -9` of a real `ferry agent` process in the middle of a large pull and in the middle
 * of a push, twice each, then a restart: the local database and the server converge, with
 * nothing lost and nothing applied twice. Real processes, sockets, PostgreSQL (or PGlite)
 * and signals, because the crash is the point.
 *
 * - Pull: 20,000 records in pages of 250. Each kill lands while the local file holds part
 *   of them; the restarted agent resumes from its saved cursor (the server sends barely more
 *   than 20,000 changes in all) and ends holding exactly the server's records and versions.
 * - Push: 2,000 patches written offline into the agent's file, pushed 25 at a time. Each
 *   kill lands after some were applied and before all were; in the end the server counted
 *   exactly 2,000 applied mutations (resends were duplicates), every record holds what
 *   applying each patch once, in order, gives, and the outbox is empty.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@ferry/client';
import { openSqliteStore } from '@ferry/node';
import type { JsonObject } from '@ferry/protocol';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSavedSchedule } from '../packages/client/src/scheduler/store-storage.ts';
import { DATABASE_KINDS } from '../packages/server/test/support/databases.ts';
import { type RunningServer, startServer } from '../packages/server/test/support/server.ts';
import { metric, startAgent, until } from './support/agent-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'ferry-agent-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** How many rows a table of the agent's file holds right now (0 before it exists). */
function countRows(path: string, table: 'ferry_records' | 'ferry_outbox'): number {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  } catch {
    return 0;
  } finally {
    db?.close();
  }
}

type State = Record<string, { version: number; value: JsonObject }>;

/** Everything the server holds in `space`, read from the beginning by a fresh client id. */
async function serverState(server: RunningServer, token: string, space: string): Promise<State> {
  const state: State = {};
  let cursor: string | null = null;
  const clientId = `observer${Date.now()}`;
  for (;;) {
    const page = await server.post(
      '/v1/pull',
      { clientId, cursor, limit: 5000, spaces: [space] },
      token,
    );
    for (const c of page.body.changes) {
      if (c.value === null) delete state[c.key];
      else state[c.key] = { version: c.version, value: c.value };
    }
    cursor = page.body.cursor;
    if (!page.body.hasMore) return state;
  }
}

async function localState(path: string, space: string, collection: string): Promise<State> {
  const store = openSqliteStore(path, { readonly: true });
  const state: State = {};
  for (const r of await store.listRecords(space, collection)) {
    state[r.key] = { version: r.version, value: r.value };
  }
  await store.close();
  return state;
}

async function runOutcomes(path: string): Promise<string[]> {
  const store = openSqliteStore(path, { readonly: true });
  const saved = await readSavedSchedule(store);
  await store.close();
  return saved.runs.map((r) => r.outcome);
}

// One database kind: each test takes seconds of real I/O, and the storage layer is covered
// on both kinds by the server's own tests.
const kind = DATABASE_KINDS[0]!;

describe(`ferry agent killed with SIGKILL (${kind.name})`, () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(kind);
  });
  afterAll(() => server.stop());

  it('mid-pull: resumes from its cursor and ends equal to the server', async () => {
    const records = 20_000;
    const token = await server.token('puller', ['big']);
    for (let first = 0; first < records; first += 1000) {
      const mutations = Array.from({ length: 1000 }, (_, i) => ({
        id: first + i + 1,
        space: 'big',
        collection: 'items',
        key: `k${String(first + i).padStart(5, '0')}`,
        op: 'put',
        value: { n: first + i, text: 'x'.repeat(200) },
      }));
      expect((await server.post('/v1/push', { clientId: 'seeder', mutations }, token)).status).toBe(
        200,
      );
    }
    const pulledBefore = await metric(server.url, 'ferry_pulled_changes_total');
    const db = join(dir, 'pull.db');
    const args = [
      '--url',
      server.url,
      '--db',
      db,
      '--token',
      token,
      '--spaces',
      'big',
      '--pull-limit',
      '250',
      '--no-live',
      '--min-interval-ms',
      '3600000',
    ];

    let held = 0;
    for (let kill = 0; kill < 2; kill++) {
      const agent = startAgent(args);
      await until(() => {
        const count = countRows(db, 'ferry_records');
        return count > held + 250 && count < records;
      }, 'the agent to be part-way through the pull');
      expect(await agent.stop('SIGKILL')).toBeNull();
      const count = countRows(db, 'ferry_records');
      expect(count).toBeGreaterThan(held);
      expect(count).toBeLessThan(records);
      held = count;
    }

    const agent = startAgent(args);
    await until(
      () =>
        agent.lines.some((l) => / ok in /.test(l)) && countRows(db, 'ferry_records') === records,
      'the restarted agent to finish the pull',
    );
    expect(await agent.stop('SIGTERM')).toBe(0);
    expect(
      agent.lines.some((l) => /first sync: [\d,]+ of about [\d,]+ changes pulled \(\d+%/.test(l)),
    ).toBe(true);

    // Resumed, not restarted: at most the two pages in flight at the kills came twice.
    const pulledByAgent = (await metric(server.url, 'ferry_pulled_changes_total')) - pulledBefore;
    expect(pulledByAgent).toBeGreaterThanOrEqual(records);
    expect(pulledByAgent).toBeLessThanOrEqual(records + 2 * 250);
    expect(await localState(db, 'big', 'items')).toEqual(await serverState(server, token, 'big'));
    expect(await runOutcomes(db)).toEqual(['interrupted', 'interrupted', 'success']);
  }, 180_000);

  it('mid-push: every mutation is applied exactly once', async () => {
    const mutations = 2_000;
    const keys = 50;
    const token = await server.token('pusher', ['notes']);
    const db = join(dir, 'push.db');

    // Written while offline, by an app using the same file; then the agent takes over.
    const store = openSqliteStore(db);
    const app = createClient<{ notes: JsonObject }>({
      url: server.url,
      store,
      getToken: () => token,
      defaultSpace: 'notes',
      fetch: async () => {
        throw new TypeError('offline');
      },
      schedule: { triggers: [] },
    });
    const expected: Record<string, JsonObject> = {};
    for (let i = 0; i < mutations; i++) {
      const key = `k${i % keys}`;
      await app.collection('notes').patch(key, { last: i, [`m${i}`]: true });
      expected[key] = { ...expected[key], last: i, [`m${i}`]: true };
    }
    await app.close();
    await store.close();
    expect(countRows(db, 'ferry_outbox')).toBe(mutations);

    const applied = () => metric(server.url, 'ferry_mutations_total{status="applied"}');
    const appliedBefore = await applied();
    const args = [
      '--url',
      server.url,
      '--db',
      db,
      '--token',
      token,
      '--push-batch-size',
      '25',
      '--no-live',
      '--min-interval-ms',
      '3600000',
    ];

    let seen = 0;
    for (let kill = 0; kill < 2; kill++) {
      const agent = startAgent(args);
      let now = 0;
      await until(async () => {
        now = (await applied()) - appliedBefore;
        return now > seen + 25 && now < mutations;
      }, 'the agent to be part-way through the push');
      expect(await agent.stop('SIGKILL')).toBeNull();
      seen = (await applied()) - appliedBefore;
      expect(seen).toBeLessThan(mutations);
      expect(countRows(db, 'ferry_outbox')).toBeGreaterThan(0);
    }

    const agent = startAgent(args);
    await until(
      () => agent.lines.some((l) => / ok in /.test(l)) && countRows(db, 'ferry_outbox') === 0,
      'the restarted agent to push everything',
    );
    expect(await agent.stop('SIGTERM')).toBe(0);

    expect((await applied()) - appliedBefore).toBe(mutations);
    const onServer = await serverState(server, token, 'notes');
    expect(Object.fromEntries(Object.entries(onServer).map(([k, r]) => [k, r.value]))).toEqual(
      expected,
    );
    expect(await localState(db, 'notes', 'notes')).toEqual(onServer);
  }, 180_000);
});
