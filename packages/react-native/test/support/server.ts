/** A Ferry server on embedded PGlite, listening on a real socket, for the phone tests. */
import {
  createFerryServer,
  createPGliteDatabase,
  type FerryServer,
  type Listening,
  listen,
} from '@ferry/server';

export interface PhoneTestServer {
  url: string;
  server: FerryServer;
  token(user: string): Promise<string>;
  /** Writes `count` records into the user's space, as another device or a backend would. */
  seed(user: string, collection: string, count: number): Promise<void>;
  stop(): Promise<void>;
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

export async function startPhoneTestServer(): Promise<PhoneTestServer> {
  const server = await createFerryServer({
    database: await createPGliteDatabase(),
    jwtSecret: 'a-test-secret-that-is-long-enough-for-hs256',
    webPush: false,
    logger: silent,
  });
  const listening: Listening = await listen(server, { port: 0, hostname: '127.0.0.1' });
  return {
    url: listening.url,
    server,
    token: (user) => server.signToken({ userId: user, spaces: [user] }, 3600),
    async seed(user, collection, count) {
      for (let start = 0; start < count; start += 500) {
        const writes = Array.from({ length: Math.min(500, count - start) }, (_, i) => ({
          space: user,
          collection,
          key: `s${String(start + i).padStart(5, '0')}`,
          op: 'put' as const,
          value: { n: start + i, from: 'server' },
        }));
        await server.write(writes);
      }
    },
    async stop() {
      await listening.close();
      await server.close();
    },
  };
}
