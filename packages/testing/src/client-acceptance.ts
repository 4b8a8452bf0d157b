/**
 * The acceptance suite every kind of client runs with only its own setup, so that an app
 * sees the same behaviour whichever it is given: `createClient`'s, `openFerry`'s and
 * `connectFerry`'s in a browser, or a client of your own that runs the engine elsewhere.
 *
 *   runClientAcceptanceTests('createClient', async ({ user, url, ...options }) => ({
 *     client: createClient({
 *       ...options,
 *       url: url ?? server.url,
 *       store: createMemoryStore(),
 *       getToken: () => server.token(user, options.spaces),
 *     }),
 *   }));
 *
 * `setup` is called for every client a test opens (some open two devices of one user)
 * and must return a client on an empty store, talking to a real Ferry server (over HTTP
 * or in process) whose token for `user` grants `spaces`. Each test uses new users and
 * spaces, so one server serves the whole suite. The suite closes each client after its
 * test, then calls `dispose`.
 */
import { afterEach, describe } from 'vitest';
import { describeCollectionTests } from './client-collection-tests.ts';
import {
  type ClientSetup,
  type ClientSetupOptions,
  type ClientTestContext,
  COLLECTIONS,
  type OpenedClient,
  todosOf,
} from './client-fixtures.ts';
import { describeLifecycleTests } from './client-lifecycle-tests.ts';
import { describeQueryTests } from './client-query-tests.ts';
import { describeSyncTests } from './client-sync-tests.ts';

export type { ClientSetup, ClientSetupOptions } from './client-fixtures.ts';

export function runClientAcceptanceTests(
  name: string,
  setup: (options: ClientSetupOptions) => Promise<ClientSetup>,
): void {
  describe(`Client acceptance: ${name}`, () => {
    const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    let names = 0;
    const opened: ClientSetup[] = [];

    const context: ClientTestContext = {
      fresh: (prefix) => `${prefix}-${run}-${++names}`,
      async open(options = {}): Promise<OpenedClient> {
        const user = options.user ?? context.fresh('user');
        const spaces = options.spaces ?? [context.fresh('space')];
        const space = spaces[0] as string;
        const result = await setup({
          user,
          spaces,
          ...(options.defaultSpace === false ? {} : { defaultSpace: space }),
          collections: options.collections ?? COLLECTIONS,
          schedule: options.schedule ?? { triggers: [] },
          live: options.live ?? false,
          ...(options.url === undefined ? {} : { url: options.url }),
        });
        opened.push(result);
        const { client } = result;
        return {
          client,
          user,
          space,
          spaces,
          // Without a default space, `collection('todos')` throws: name the space.
          todos: todosOf(client, space),
        };
      },
    };

    afterEach(async () => {
      for (const { client, dispose } of opened.splice(0).reverse()) {
        await client.close();
        await dispose?.();
      }
    });

    describeCollectionTests(context);
    describeQueryTests(context);
    describeSyncTests(context);
    describeLifecycleTests(context);
  });
}
