/**
 * A real `ferry agent` process for end-to-end tests, started through its bin exactly as a
 * user would start it, with its output collected line by line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const AGENT_BIN = fileURLToPath(
  new URL('../../packages/node/bin/ferry-agent.mjs', import.meta.url),
);

export interface AgentProcess {
  readonly child: ChildProcess;
  readonly lines: string[];
  /** Settles with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Sends a signal and waits for the process to end. */
  stop(signal: NodeJS.Signals): Promise<number | null>;
}

export function startAgent(args: readonly string[]): AgentProcess {
  const child = spawn(process.execPath, [AGENT_BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buffer = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (text: string) => {
    buffer += text;
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) =>
    lines.push(
      ...text
        .trimEnd()
        .split('\n')
        .map((l) => `stderr: ${l}`),
    ),
  );
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    child,
    lines,
    exited,
    async stop(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * Polls `condition` until it holds. Real time, because the point is a real process doing
 * real I/O; the timeout only bounds a hang and measures nothing.
 */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
  pollMs = 5,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** A counter from the server's Prometheus metrics. */
export async function metric(serverUrl: string, sample: string): Promise<number> {
  const text = await (await fetch(`${serverUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}
