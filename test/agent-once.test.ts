/**
 * `ferry agent --once` through its real bin against a real server: one run to the end
 * whatever `--max-run-ms` says (a budget that would cut every run is set to prove it),
 * exactly one line on stdout, progress with a percentage on stderr, exit code 0, and the
 * local file holding everything. It used to print a line per budget-cut run, each saying
 * "continuing now", or fail on the budget.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '../packages/server/test/support/databases.ts';
import { type RunningServer, startServer } from '../packages/server/test/support/server.ts';
import { startAgent } from './support/agent-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'ferry-agent-once-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// One database kind: the point is the agent's process and output, not the storage.
const kind = DATABASE_KINDS[0]!;
const RECORDS = 3_000;

describe(`ferry agent --once (${kind.name})`, () => {
  let server: RunningServer;
  let token: string;
  beforeAll(async () => {
    server = await startServer(kind);
    token = await server.token('once', ['once']);
    for (let first = 0; first < RECORDS; first += 1000) {
      const mutations = Array.from({ length: 1000 }, (_, i) => ({
        id: first + i + 1,
        space: 'once',
        collection: 'items',
        key: `k${first + i}`,
        op: 'put',
        value: { n: first + i },
      }));
      const push = await server.post('/v1/push', { clientId: 'seeder', mutations }, token);
      expect(push.status).toBe(200);
    }
  });
  afterAll(() => server.stop());

  it('syncs to the end in one run, prints one line and exits 0', async () => {
    const db = join(dir, 'once.db');
    const agent = startAgent([
      ...['--url', server.url, '--db', db, '--token', token, '--once'],
      ...['--pull-limit', '100', '--max-run-ms', '1'],
    ]);
    expect(await agent.exited).toBe(0);
    const stdout = agent.lines.filter((l) => !l.startsWith('stderr: '));
    expect(stdout).toHaveLength(1);
    expect(stdout[0]).toMatch(
      /^\S+ run 1 \[manual\] ok in [\d.]+ m?s: pushed 0, pulled 3,000, [\d.]+ [kM]?B; exiting$/,
    );
    const progress = agent.lines.filter((l) => l.includes('first sync:'));
    expect(progress[0]).toMatch(
      /^stderr: {3}first sync: 100 of about 3,000 changes pulled \(3%, [\d.]+ [kM]?B\) so far$/,
    );
    const file = new Database(db, { readonly: true });
    expect(file.prepare('SELECT count(*) FROM ferry_records').pluck().get()).toBe(RECORDS);
    file.close();
  }, 60_000);

  it('exits 1 with the failed run as its one line when the run fails', async () => {
    const agent = startAgent([
      ...['--url', server.url, '--db', join(dir, 'refused.db'), '--token', 'not-a-jwt', '--once'],
    ]);
    expect(await agent.exited).toBe(1);
    const stdout = agent.lines.filter((l) => !l.startsWith('stderr: '));
    expect(stdout).toHaveLength(1);
    expect(stdout[0]).toMatch(/run 1 \[manual\] failed \(unauthorized\).*; exiting — /);
  }, 60_000);
});
