/**
 * A PostgreSQL server of the test's own, in a temporary folder, that the test may crash and
 * restart without disturbing the shared one other tests use. Available where the
 * PostgreSQL binaries are installed and the test can run them as the `postgres` user.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

const BIN = [
  '/usr/lib/postgresql/16/bin',
  '/usr/lib/postgresql/15/bin',
  '/usr/lib/postgresql/17/bin',
].find((dir) => existsSync(join(dir, 'pg_ctl')));

export interface PrivatePostgres {
  url: string;
  /** Kills the server as a crash would (immediate shutdown) and starts it again. */
  crashAndRestart(downMs: number): Promise<void>;
  stop(): void;
}

function asPostgres(command: string, args: string[]): void {
  const full = [join(BIN!, command), ...args];
  if (userInfo().uid === 0)
    execFileSync('runuser', ['-u', 'postgres', '--', ...full], { stdio: 'ignore' });
  else execFileSync(full[0]!, full.slice(1), { stdio: 'ignore' });
}

/** A port nothing listens on right now, as the OS hands them out. */
function freePort(): number {
  const out = execFileSync(process.execPath, [
    '-e',
    "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})",
  ]);
  return Number(out.toString().trim());
}

export function privatePostgresAvailable(): boolean {
  if (!BIN) return false;
  if (userInfo().uid === 0) return spawnSync('id', ['postgres']).status === 0;
  return userInfo().username === 'postgres';
}

export function startPrivatePostgres(): PrivatePostgres {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-pg-'));
  if (userInfo().uid === 0)
    chownSync(
      dir,
      Number(execFileSync('id', ['-u', 'postgres']).toString()),
      Number(execFileSync('id', ['-g', 'postgres']).toString()),
    );
  const data = join(dir, 'data');
  const port = freePort();
  asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on`;
  const start = () =>
    asPostgres('pg_ctl', ['-D', data, '-o', options, '-w', '-l', join(dir, 'log'), 'start']);
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async crashAndRestart(downMs) {
      asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      await new Promise((r) => setTimeout(r, downMs));
      start();
    },
    stop() {
      try {
        asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      } catch {}
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
