/** `ferry serve` as a real child process, for tests that kill and restart servers. */
import { type ChildProcess, spawn } from 'node:child_process';
import { TEST_SECRET } from './server.ts';

/** The compiled command, started as a user starts it (the suite builds before it runs). */
const FERRY = new URL('../../bin/ferry.mjs', import.meta.url).pathname;

/**
 * Starts `ferry serve` on `port` (0: any) with `env` on top of a production-mode
 * configuration signed with the test secret, and resolves once it listens.
 */
export async function startServeProcess(
  env: Record<string, string>,
  port: number,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [FERRY, 'serve', '--port', String(port), '--log-level', 'error'],
    {
      env: {
        PATH: process.env.PATH ?? '',
        FERRY_JWT_SECRET: TEST_SECRET,
        HOST: '127.0.0.1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const started = Date.now();
  for (;;) {
    const match = /listening on (http:\/\/\S+)/.exec(output);
    if (match) return { child, url: match[1]!.replace('localhost', '127.0.0.1') };
    if (child.exitCode !== null || Date.now() - started > 60_000)
      throw new Error(`ferry serve did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
