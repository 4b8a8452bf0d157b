/**
 * `kill -9` in the middle of writing: a child process commits rounds to a SQLite store as
 * fast as it can and is killed at a random moment, five times over on the same file. Each
 * time, the file opens, passes SQLite's integrity check, and holds exactly the last round
 * whole: every record, the outbox and the metadata agree, and no round the child saw
 * committed is missing. Real processes and signals, because a crash is the point.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteStore } from '@ferry/node';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

const CHILD = fileURLToPath(new URL('./support/commit-forever.ts', import.meta.url));
const ROUND_RECORDS = 200;
const dir = mkdtempSync(join(tmpdir(), 'ferry-sqlite-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts the writer; resolves once it has committed `afterRounds` more rounds. */
function startWriter(path: string, afterRounds: number) {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@ferry/source', CHILD, path, String(ROUND_RECORDS)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let lastAcknowledged = 0;
  let seen = 0;
  const ready = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`writer exited early (${code})`)));
    child.stdout!.setEncoding('utf8');
    let buffer = '';
    child.stdout!.on('data', (text: string) => {
      buffer += text;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        lastAcknowledged = Number(line);
        seen += 1;
        if (seen === afterRounds) resolve();
      }
    });
  });
  return { child, ready, lastAcknowledged: () => lastAcknowledged };
}

describe('SQLite store under kill -9', () => {
  it('keeps every acknowledged commit whole, and no torn one', async () => {
    const path = join(dir, 'crash.db');
    let previous = 0;
    for (let kill = 0; kill < 5; kill++) {
      const writer = startWriter(path, 3 + Math.floor(Math.random() * 40));
      await writer.ready;
      // Killed while it is writing its next rounds: somewhere inside a commit, most likely.
      const exited = new Promise((resolve) => writer.child.once('exit', resolve));
      writer.child.kill('SIGKILL');
      await exited;

      const raw = new Database(path);
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
      raw.close();
      const store = openSqliteStore(path);
      const round = (await store.getMeta('round')) as number;
      expect(round).toBeGreaterThanOrEqual(writer.lastAcknowledged());
      expect(round).toBeGreaterThan(previous);
      const records = await store.listRecords('s', 'c');
      expect(records).toHaveLength(ROUND_RECORDS);
      expect(new Set(records.map((r) => r.value.round))).toEqual(new Set([round]));
      const outbox = await store.listOutbox();
      expect(outbox.map((e) => e.id)).toEqual(Array.from({ length: round }, (_, i) => i + 1));
      await store.close();
      previous = round;
    }
  }, 60_000);
});
