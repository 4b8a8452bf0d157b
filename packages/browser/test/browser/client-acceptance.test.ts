/**
 * The client acceptance suite against the browser's clients in real Chromium, on real
 * IndexedDB, syncing with a real Ferry server over HTTP (started by the Chromium project's
 * global setup, `test/support/ferry-server.ts`): `openFerry`, which hosts the engine in the
 * page, and `connectFerry` to a host started on its own. The same suite runs against
 * `createClient` in Node (test/client-acceptance.test.ts).
 */
import { connectFerry, deleteIndexedDbStore, hostFerry, openFerry } from '@ferry/browser';
import { type ClientSetupOptions, runClientAcceptanceTests } from '@ferry/testing';
import { inject } from 'vitest';

const serverUrl = inject('ferryServerUrl');
const run = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
let stores = 0;

/** A token from the dev server for this user and spaces. */
async function tokenFor(user: string, spaces: readonly string[]): Promise<string> {
  const response = await fetch(`${serverUrl}/v1/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user, spaces }),
  });
  if (!response.ok) throw new Error(`dev token: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

/** The host's options for a new store, and its name. */
async function hostOptions({ user, url, ...options }: ClientSetupOptions) {
  const token = await tokenFor(user, options.spaces);
  const name = `ferry-client-acceptance-${run}-${++stores}`;
  return { ...options, name, url: url ?? serverUrl, getToken: () => token };
}

runClientAcceptanceTests('openFerry (Chromium)', async (options) => {
  const host = await hostOptions(options);
  return {
    client: openFerry({ ...host, backgroundSyncTag: false }),
    dispose: () => deleteIndexedDbStore(host.name),
  };
});

runClientAcceptanceTests('connectFerry to a host of its own (Chromium)', async (options) => {
  const host = await hostOptions(options);
  const leader = hostFerry(host);
  const client = connectFerry({
    name: host.name,
    defaultSpace: host.defaultSpace,
    spaces: host.spaces,
    collections: host.collections,
    backgroundSyncTag: false,
  });
  return {
    client,
    async dispose() {
      await leader.close();
      await deleteIndexedDbStore(host.name);
    },
  };
});
