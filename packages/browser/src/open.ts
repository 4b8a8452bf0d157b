/**
 * `openFerry`: the one call a page makes. It starts a sync host (in the given dedicated
 * worker, or in this page) and returns a client connected to whichever context of the app
 * leads the store, so every tab reads and writes the same data while one engine syncs it.
 */
import type { JsonObject } from '@ferry/protocol';
import { type FerryHost, hostFerry } from './host.ts';
import type { HostOptions } from './leader-session.ts';
import { type BrowserFerryClient, type ConnectOptions, connectFerry } from './remote-client.ts';

export interface OpenFerryOptions extends HostOptions {
  /**
   * A dedicated worker whose module calls `hostFerry` with the same store name: the engine
   * then runs off the main thread. When omitted the engine runs in this page.
   */
  worker?: Worker;
  /** See `ConnectOptions.backgroundSyncTag`. */
  backgroundSyncTag?: ConnectOptions['backgroundSyncTag'];
}

export function openFerry<Schema extends Record<string, JsonObject> = Record<string, JsonObject>>(
  options: OpenFerryOptions,
): BrowserFerryClient<Schema> {
  const { worker, backgroundSyncTag, ...hostOptions } = options;
  const host: FerryHost | undefined = worker === undefined ? hostFerry(hostOptions) : undefined;
  // The host's spaces and indexes too, so that the client checks calls at once as the
  // engine would.
  const client = connectFerry<Schema>({
    name: options.name,
    ...(options.defaultSpace === undefined ? {} : { defaultSpace: options.defaultSpace }),
    ...(options.spaces === undefined ? {} : { spaces: options.spaces }),
    ...(options.collections === undefined ? {} : { collections: options.collections }),
    ...(backgroundSyncTag === undefined ? {} : { backgroundSyncTag }),
  });
  const closeClient = client.close;
  return Object.assign(client, {
    async close() {
      await closeClient();
      await host?.close();
      worker?.terminate();
    },
  });
}
