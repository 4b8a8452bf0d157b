/** Shared set-up for engine tests: a fake server, a memory store and a client wired to both. */
import { type ClientOptions, createClient, type FerryClient } from '../../src/index.ts';
import { createMemoryStore } from '../../src/memory-store.ts';
import type { Store } from '../../src/store.ts';
import { BASE_URL, FakeServer } from './fake-server.ts';

export const ALICE_TOKEN = 'token-alice';

export function createServer(): FakeServer {
  return new FakeServer({
    [ALICE_TOKEN]: { user: 'alice', spaces: ['alice', 'team'] },
    'token-bob': { user: 'bob', spaces: ['bob', 'team'] },
  });
}

export type Todo = { title: string; done?: boolean; note?: string };
export type Schema = { todos: Todo; notes: { text: string } };

export interface Harness {
  server: FakeServer;
  store: Store;
  client: FerryClient<Schema>;
  /** Another client on the same store, as after a restart. */
  restart(overrides?: Partial<ClientOptions>): FerryClient<Schema>;
}

export function setup(
  overrides: Partial<ClientOptions> = {},
  server: FakeServer = createServer(),
): Harness {
  const store = overrides.store ?? createMemoryStore();
  const make = (more: Partial<ClientOptions> = {}) =>
    createClient<Schema>({
      url: BASE_URL,
      store,
      getToken: () => ALICE_TOKEN,
      defaultSpace: 'alice',
      fetch: server.fetch,
      // Engine tests count requests: only pokes (and sync()) start runs here. The
      // scheduler's own tests cover the other triggers.
      schedule: { triggers: ['poke'] },
      ...overrides,
      ...more,
    });
  return { server, store, client: make(), restart: make };
}

/** Lets every pending promise chain and immediate callback run to completion. */
export async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Collects every value a listener receives. */
export function recorder<T>(): { calls: T[]; listener: (value: T) => void; last(): T | undefined } {
  const calls: T[] = [];
  return { calls, listener: (value) => calls.push(value), last: () => calls.at(-1) };
}
