/**
 * The client acceptance suite against `createClient` in Node, on the memory store, syncing
 * with a real Ferry server over HTTP. The browser's clients run the same suite in Chromium
 * (packages/browser/test/browser/client-acceptance.test.ts).
 */
import { createClient, createMemoryStore } from '@ferry/client';
import { runClientAcceptanceTests } from '@ferry/testing';
import { afterAll, beforeAll } from 'vitest';
import { DATABASE_KINDS } from '../packages/server/test/support/databases.ts';
import { type RunningServer, startServer } from '../packages/server/test/support/server.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer(DATABASE_KINDS[0]!);
});
afterAll(() => server?.stop());

runClientAcceptanceTests('createClient (memory store, Node)', async ({ user, url, ...options }) => {
  const token = await server.token(user, [...options.spaces]);
  return {
    client: createClient({
      ...options,
      url: url ?? server.url,
      store: createMemoryStore(),
      getToken: () => token,
    }),
  };
});
