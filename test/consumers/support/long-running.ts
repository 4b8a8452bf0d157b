/**
 * A command that keeps running (a server): started in a process group of its own, awaited
 * until it prints a line, then signalled as a terminal signals it, the whole group at once.
 * That matters for `npx`: npm exits on SIGTERM without passing it on, and would leave the
 * server it started running.
 */
import { spawn } from 'node:child_process';
import { userEnvironment } from './npm.ts';

export interface Running {
  /** The ready pattern's match in the output. */
  ready: RegExpExecArray;
  output(): string;
  /** Signals every process of the group and resolves once none is left. */
  stop(signal: NodeJS.Signals): Promise<void>;
}

const GROUP_POLL_MS = 50;

function groupAlive(groupId: number): boolean {
  try {
    process.kill(-groupId, 0);
    return true;
  } catch {
    return false;
  }
}

async function groupGone(groupId: number, timeoutMs: number): Promise<void> {
  for (let waitedMs = 0; groupAlive(groupId); waitedMs += GROUP_POLL_MS) {
    if (waitedMs > timeoutMs) {
      process.kill(-groupId, 'SIGKILL');
      throw new Error(`process group ${groupId} did not stop; killed`);
    }
    await new Promise((resolve) => setTimeout(resolve, GROUP_POLL_MS));
  }
}

export async function startCommand(
  command: string,
  args: readonly string[],
  options: { cwd: string; ready: RegExp; timeoutMs: number },
): Promise<Running> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: userEnvironment(),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const groupId = child.pid;
  if (groupId === undefined) throw new Error(`${command} did not start`);
  let output = '';
  const ready = new Promise<RegExpExecArray>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = options.ready.exec(output);
      if (match) resolve(match);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) =>
      reject(
        new Error(
          `${command} ${args.join(' ')} exited with ${code} before it was ready:\n${output}`,
        ),
      ),
    );
    // A bound on the wait, so a command that hangs fails its test rather than the whole file.
    setTimeout(
      () => reject(new Error(`${command} was not ready in time:\n${output}`)),
      options.timeoutMs,
    ).unref();
  });
  try {
    return {
      ready: await ready,
      output: () => output,
      stop: (signal) => {
        process.kill(-groupId, signal);
        return groupGone(groupId, options.timeoutMs);
      },
    };
  } catch (error) {
    if (groupAlive(groupId)) process.kill(-groupId, 'SIGKILL');
    throw error;
  }
}
