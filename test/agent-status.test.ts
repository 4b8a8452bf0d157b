/**
 * `ferry-agent status` through its real bin, against a real SQLite file that a client is
 * still writing (as a running agent would): it lists the pending writes and the last run,
 * prints the same snapshot as JSON, and leaves the file byte for byte as it was, so the
 * writer carries on.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type FerryClient, type InspectorSnapshot } from '@ferry/client';
import { openSqliteStore } from '@ferry/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '../packages/server/test/support/databases.ts';
import { type RunningServer, startServer } from '../packages/server/test/support/server.ts';
import { startAgent } from './support/agent-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'ferry-agent-status-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// One database kind: the point is the reader of the local file, not the server's storage.
const kind = DATABASE_KINDS[0]!;

/** The database file and its WAL, hashed: a reader must change neither. */
function fingerprint(db: string): string {
  const hash = createHash('sha256');
  for (const path of [db, `${db}-wal`]) if (existsSync(path)) hash.update(readFileSync(path));
  return hash.digest('hex');
}

async function status(args: string[]) {
  const agent = startAgent(['status', ...args]);
  const code = await agent.exited;
  return {
    code,
    out: agent.lines.filter((l) => !l.startsWith('stderr: ')),
    err: agent.lines.filter((l) => l.startsWith('stderr: ')),
  };
}

describe(`ferry-agent status (${kind.name})`, () => {
  let server: RunningServer;
  let client: FerryClient;
  let store: ReturnType<typeof openSqliteStore>;
  const db = join(dir, 'agent.db');

  beforeAll(async () => {
    server = await startServer(kind);
    const token = await server.token('inspector', ['inspector']);
    store = openSqliteStore(db);
    // The writer stays open through the tests, as an agent would; nothing runs on its own.
    client = createClient({
      url: server.url,
      store,
      getToken: () => token,
      defaultSpace: 'inspector',
      live: false,
      schedule: { triggers: [] },
    });
    const items = client.collection('items');
    await items.put('synced-1', { n: 1 });
    await items.put('synced-2', { n: 2 });
    // Recorded as a phone's or a service worker's push wake-up would be.
    await client.sync({ trigger: 'push' });
    await items.put('pending-1', { n: 3 });
    await items.patch('synced-1', { n: 10 });
    await client.collection('notes').delete('gone');
  });
  afterAll(async () => {
    await client.close();
    await store.close();
    await server.stop();
  });

  it('prints the pending writes, the last run and the store sizes, without touching the file', async () => {
    const before = fingerprint(db);
    const { code, out, err } = await status(['--db', db]);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toContain(`Ferry store ${db} (client ${await client.getClientId()})`);
    expect(text).toContain('Pending writes: 3');
    expect(text).toMatch(/^ {2}ID +SPACE +COLLECTION +KEY +OP +STATE$/m);
    expect(text).toMatch(/^ {2}3 +inspector +items +pending-1 +put +not sent$/m);
    expect(text).toMatch(/^ {2}4 +inspector +items +synced-1 +patch +not sent$/m);
    expect(text).toMatch(/^ {2}5 +inspector +notes +gone +delete +not sent$/m);
    expect(text).toContain('Recent runs: 1');
    expect(text).toMatch(/^ {2}1 +\S+Z +push +success +[\d.]+ m?s +2 +2 +0 /m);
    expect(text).toMatch(/^Cursor: held, last success \S+Z \(\d+ s ago\)$/m);
    expect(text).toContain('Store: 3 outbox entries');
    expect(text).toMatch(/^ {2}inspector +items +2$/m);
    expect(fingerprint(db)).toBe(before);
    // The writer carries on as if nobody had looked.
    await client.collection('items').put('after', { n: 4 });
    expect(fingerprint(db)).not.toBe(before);
  });

  it('prints the same snapshot as JSON with --json', async () => {
    const { code, out } = await status(['--db', db, '--json', '--max-pending', '2']);
    expect(code).toBe(0);
    const snapshot = JSON.parse(out.join('\n')) as InspectorSnapshot;
    expect(snapshot.source).toBe('store');
    expect(snapshot.status).toBeNull();
    expect(snapshot.pending.total).toBe(4);
    expect(snapshot.pending.entries.map((e) => e.key)).toEqual(['pending-1', 'synced-1']);
    expect(snapshot.runs.entries).toHaveLength(1);
    expect(snapshot.runs.entries[0]).toMatchObject({
      outcome: 'success',
      triggers: ['push'],
      pushed: 2,
      pulled: 2,
    });
    expect(snapshot.cursor.held).toBe(true);
    expect(snapshot.store.collections).toEqual([
      { space: 'inspector', collection: 'items', records: 2 },
    ]);
  });

  it('says what is wrong with a missing file or flag', async () => {
    const missing = await status(['--db', join(dir, 'nothing-here.db')]);
    expect(missing.code).toBe(1);
    expect(missing.err.join('\n')).toContain('there is no database at');
    expect(existsSync(join(dir, 'nothing-here.db'))).toBe(false);
    const noDb = await status([]);
    expect(noDb.code).toBe(2);
    expect(noDb.err.join('\n')).toContain('--db (or FERRY_DB) is required');
    const bad = await status(['--db', db, '--max-runs', '-1']);
    expect(bad.code).toBe(2);
  });
});
