/**
 * The demo as `npm start` serves it, for the end-to-end tests: the app built by Vite into a
 * temporary folder, served by a dev-mode Ferry server on a real socket with embedded PGlite,
 * which the browser reaches through a proxy that can stage an outage (outage-proxy.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROUTES } from '@ferry/protocol';
import { createFerryServer, createPGliteDatabase, type FerryServer, listen } from '@ferry/server';
import pino from 'pino';
import { build } from 'vite';
import { startOutageProxy } from './outage-proxy.ts';

const DEMO_DIR = fileURLToPath(new URL('../..', import.meta.url));

let built: Promise<string> | undefined;

/** Builds the demo once per test file into a temporary folder; returns the folder. */
export function buildDemo(): Promise<string> {
  built ??= (async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'ferry-demo-'));
    process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
    // The test runner sets NODE_ENV=test, which Vite would follow into a development
    // build (React's dev bundle, the dev service-worker URL): build what `npm start` serves.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await build({
        root: DEMO_DIR,
        configFile: join(DEMO_DIR, 'vite.config.ts'),
        mode: 'production',
        logLevel: 'warn',
        build: { outDir, emptyOutDir: true },
      });
    } finally {
      process.env.NODE_ENV = nodeEnv;
    }
    return outDir;
  })();
  return built;
}

export interface DemoServer {
  /** `http://127.0.0.1:<port>`, a secure context as far as the browser is concerned. */
  url: string;
  /** Writes as the server would (another device's change, or a bulk load). */
  write: FerryServer['write'];
  /** While true, every push is answered 503 (a server down for clients, up for the test). */
  refusePushes(refuse: boolean): void;
  /** How many pull requests have reached the server so far, from any client. */
  pullRequests(): number;
  /** While true, pulls wait (a slow first sync); false lets them through. */
  holdPulls(hold: boolean): void;
  /**
   * The server goes away for the browser, as in an outage: new connections are refused and
   * open event streams go silent (outage-proxy.ts). The test still reaches it.
   */
  goDown(): void;
  /** The server is back on the same address. */
  comeBack(): Promise<void>;
  /** The open event streams, read from the server's metrics. */
  eventStreams(): Promise<number>;
  /** The `text` of every record the server holds in one space, pulled over HTTP as a fresh client of `user`. */
  texts(user: string, space: string): Promise<string[]>;
  /** Every record the server holds in one space (its value), pulled as `texts` does. */
  values(user: string, space: string): Promise<Array<Record<string, unknown>>>;
  stop(): Promise<void>;
}

export interface DemoServerOptions {
  /** How often event streams send their heartbeat; the server's default when not given. */
  heartbeatMs?: number;
}

export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const staticDir = await buildDemo();
  const database = await createPGliteDatabase();
  const server = await createFerryServer({
    database,
    jwtSecret: 'demo-end-to-end-tests-secret-long-enough',
    dev: true,
    staticDir,
    logger: pino({ level: 'silent' }),
    webPush: {},
    ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
  });
  let refusePushes = false;
  let pullRequests = 0;
  let pullsHeld: { promise: Promise<void>; release: () => void } | undefined;
  const listening = await listen({
    close: () => server.close(),
    async fetch(request) {
      const path = new URL(request.url).pathname;
      if (path === ROUTES.pull) {
        pullRequests++;
        await pullsHeld?.promise;
      }
      if (refusePushes && path === ROUTES.push) {
        return Promise.resolve(
          Response.json(
            { error: { code: 'unavailable', message: 'pushes refused by the test' } },
            { status: 503, headers: { 'retry-after': '1' } },
          ),
        );
      }
      return server.fetch(request);
    },
  });
  async function values(user: string, space: string): Promise<Array<Record<string, unknown>>> {
    const token = await server.signToken({ userId: user, spaces: [space] }, 600);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const found: Array<Record<string, unknown>> = [];
    let cursor: string | null = null;
    for (;;) {
      const response = await fetch(`${listening.url}${ROUTES.pull}`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ clientId: 'end-to-end-check', cursor }),
      });
      const page = (await response.json()) as {
        changes: Array<{ value: Record<string, unknown> | null }>;
        cursor: string;
        hasMore: boolean;
      };
      for (const change of page.changes) {
        if (change.value !== null) found.push(change.value);
      }
      cursor = page.cursor;
      if (!page.hasMore) return found;
    }
  }
  const address = new URL(listening.url);
  const proxy = await startOutageProxy({ host: address.hostname, port: Number(address.port) });
  return {
    url: proxy.url,
    write: server.write,
    refusePushes(refuse) {
      refusePushes = refuse;
    },
    pullRequests: () => pullRequests,
    holdPulls(hold) {
      if (hold && pullsHeld === undefined) {
        let release = () => {};
        const promise = new Promise<void>((resolve) => {
          release = resolve;
        });
        pullsHeld = { promise, release };
      } else if (!hold && pullsHeld !== undefined) {
        pullsHeld.release();
        pullsHeld = undefined;
      }
    },
    goDown: () => proxy.goDown(),
    comeBack: () => proxy.comeBack(),
    async eventStreams() {
      const response = await fetch(`${listening.url}${ROUTES.metrics}`, {
        signal: AbortSignal.timeout(5_000),
      });
      const text = await response.text();
      const line = text.split('\n').find((l) => l.startsWith('ferry_event_streams '));
      return Number(line?.split(' ')[1] ?? Number.NaN);
    },
    async texts(user, space) {
      const found = await values(user, space);
      return found.flatMap((value) => (typeof value.text === 'string' ? [value.text] : []));
    },
    values,
    async stop() {
      pullsHeld?.release();
      await proxy.close();
      await listening.close();
      await database.close();
    },
  };
}
