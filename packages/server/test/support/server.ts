/** Starts a Ferry server on a real socket for integration tests. */
import pino from 'pino';
import {
  createFerryServer,
  type Database,
  type FerryServer,
  type FerryServerOptions,
  type Listening,
  listen,
} from '../../src/index.ts';
import type { TestDatabaseKind } from './databases.ts';

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-hs256!';

export interface RunningServer extends Listening {
  /** The server's own write API (`ferry.write`). */
  write: FerryServer['write'];
  compact: FerryServer['compact'];
  /** The server's database, for tests that inspect or age rows. */
  database: Database;
  /** A token for the user, valid for an hour unless `ttlSeconds` says otherwise. */
  token(userId: string, spaces?: string[], ttlSeconds?: number): Promise<string>;
  /** POSTs JSON with a bearer token; returns status and parsed body. */
  post(
    path: string,
    body: unknown,
    token?: string,
  ): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

export async function startServer(
  kind: TestDatabaseKind,
  options: Partial<FerryServerOptions> = {},
): Promise<RunningServer> {
  const { database, dispose } = await kind.create();
  const server = await createFerryServer({
    database,
    jwtSecret: TEST_SECRET,
    logger: pino({ level: 'silent' }),
    ...options,
  });
  const listening = await listen(server);
  return {
    ...listening,
    write: server.write,
    compact: server.compact,
    database,
    token: (userId, spaces, ttlSeconds = 3600) =>
      server.signToken(spaces ? { userId, spaces } : { userId }, ttlSeconds),
    async post(path, body, token) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      const response = await fetch(listening.url + path, {
        method: 'POST',
        headers,
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {}
      return { status: response.status, body: parsed, headers: response.headers };
    },
    async stop() {
      await listening.close();
      await dispose();
    },
  };
}
