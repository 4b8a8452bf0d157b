/** `ferry serve` as a real process: dev mode on PGlite, data and secret kept across restarts, clean stop. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** The compiled command, started as a user starts it (the suite builds before it runs). */
const FERRY = new URL('../bin/ferry.mjs', import.meta.url).pathname;

interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

function run(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [FERRY, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function start(dataDir: string): Promise<Running> {
  const proc = run(['serve', '--dev', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn']);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const match = /listening on (http:\/\/\S+)/.exec(proc.output());
    if (match) return { ...proc, url: match[1]! };
    if (proc.child.exitCode !== null || Date.now() > deadline)
      throw new Error(`ferry serve did not start:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('ferry serve', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-cli-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts in dev mode on PGlite, keeps data and secret across a restart, and stops on SIGTERM', async () => {
    const first = await start(dataDir);
    expect(first.output()).toMatch(/Database: embedded PGlite in .*\/pg/);
    const { token } = await (
      await fetch(`${first.url}/v1/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"user":"alice"}',
      })
    ).json();
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const push = await fetch(`${first.url}/v1/push`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        clientId: 'cli',
        mutations: [
          { id: 1, space: 'alice', collection: 'c', key: 'k', op: 'put', value: { kept: true } },
        ],
      }),
    });
    expect(push.status).toBe(200);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = await start(dataDir);
    try {
      // The token minted before the restart still verifies, and the write is still there.
      const pull = await fetch(`${second.url}/v1/pull`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ clientId: 'cli', cursor: null }),
      });
      expect(pull.status).toBe(200);
      const body = await pull.json();
      expect(body.changes).toEqual([
        { space: 'alice', collection: 'c', key: 'k', version: 1, value: { kept: true } },
      ]);
      expect(body.lastMutationId).toBe(1);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });

  it('says it binds every interface when it does, and gives a local URL that answers', async () => {
    const proc = run(['serve', '--host', '0.0.0.0', '--port', '0', '--data-dir', dataDir], {
      FERRY_JWT_SECRET: 'a-secret-for-the-cli-test-only-0123456789',
      LOG_LEVEL: 'warn',
    });
    try {
      const deadline = Date.now() + 60_000;
      let match: RegExpExecArray | null = null;
      while (match === null) {
        match =
          /listening on http:\/\/0\.0\.0\.0:(\d+) \(every IPv4 interface; on this machine open (http:\/\/localhost:\d+)\)/.exec(
            proc.output(),
          );
        if (proc.child.exitCode !== null || Date.now() > deadline) {
          throw new Error(`ferry serve did not say where it listens:\n${proc.output()}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      const [, port, local] = match;
      expect(local).toBe(`http://localhost:${port}`);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
  });

  it('runs the agent of @ferry/node as `ferry agent`', async () => {
    const proc = run(['agent', '--help']);
    expect(await proc.exited).toBe(0);
    expect(proc.output()).toMatch(/Keeps a local SQLite database in sync/);
  });

  it('refuses to start in production mode without a secret', async () => {
    const proc = run(['serve', '--port', '0', '--data-dir', dataDir]);
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toMatch(/no JWT secret: set FERRY_JWT_SECRET/);
  });
});
