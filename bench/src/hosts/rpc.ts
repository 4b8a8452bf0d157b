/**
 * Requests from the orchestrator to a host: a child process over Node's IPC channel (so a
 * server's memory and a client's memory are measured apart, and 10,000 streams fit under
 * the per-process file limit), or the same handlers called in this process (tests).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// biome-ignore lint/suspicious/noExplicitAny: handlers take and return whatever crosses IPC.
export type Handlers = Record<string, (args: any) => Promise<unknown>>;

/** The argument of a request that needs none. */
export type NoArgs = Record<string, never>;

export type Role = 'server' | 'client';

export interface Host<H extends Handlers> {
  call<M extends keyof H & string>(
    method: M,
    args: Parameters<H[M]>[0],
  ): Promise<Awaited<ReturnType<H[M]>>>;
  close(): Promise<void>;
}

interface Reply {
  id: number;
  result?: unknown;
  error?: string;
}

const ENTRY = fileURLToPath(new URL('./entry.ts', import.meta.url));

export function inProcessHost<H extends Handlers>(handlers: H): Host<H> {
  return {
    call: (method, args) => handlers[method]!(args) as never,
    close: async () => {},
  };
}

export async function spawnHost<H extends Handlers>(role: Role): Promise<Host<H>> {
  // BENCH_CPU_PROF=server (or client, or server,client) writes V8 CPU profiles of those
  // hosts to BENCH_CPU_PROF_DIR (default ./cpu-profiles), to see where the time goes.
  const profile = (process.env.BENCH_CPU_PROF ?? '').split(',').includes(role)
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR ?? 'cpu-profiles'}`]
    : [];
  const child: ChildProcess = fork(ENTRY, [role], {
    execArgv: [
      '--import',
      'tsx',
      '--conditions=@ferry/source',
      '--expose-gc',
      '--max-old-space-size=12000',
      ...profile,
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 1;
  let exited = false;
  const ready = new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`${role} host exited with ${code} at start`)));
  });
  child.on('message', (message: Reply | 'ready') => {
    if (message === 'ready') return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) waiter?.reject(new Error(message.error));
    else waiter?.resolve(message.result);
  });
  child.on('exit', (code) => {
    exited = true;
    for (const waiter of pending.values()) {
      waiter.reject(new Error(`${role} host exited with code ${code}`));
    }
    pending.clear();
  });
  await ready;
  return {
    call(method, args) {
      if (exited) return Promise.reject(new Error(`${role} host has exited`));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, method, args });
      });
    },
    async close() {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}
