/**
 * `ferry agent …`: the background agent lives in `@ferry/node` (the server does not depend
 * on it), so this runs that package's `ferry-agent` command when it is installed.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

function agentCommand(): string | undefined {
  try {
    const entry = createRequire(import.meta.url).resolve('@ferry/node');
    return join(dirname(entry), '..', 'bin', 'ferry-agent.mjs');
  } catch {
    return undefined;
  }
}

export async function runAgent(args: readonly string[]): Promise<number> {
  const command = agentCommand();
  if (!command) {
    process.stderr.write('ferry agent needs the @ferry/node package: npm install @ferry/node\n');
    return 1;
  }
  const child = spawn(process.execPath, [command, ...args], { stdio: 'inherit' });
  // The agent stops cleanly on these; pass them on rather than dying under it.
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))),
  );
}
