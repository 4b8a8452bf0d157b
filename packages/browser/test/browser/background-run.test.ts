/**
 * `syncInBackground` in real Chromium against a real server, as the service worker runs it
 * for its `sync`, `periodicsync` and `push` events: with no context leading the store it
 * leads for one run; with a leader (a tab's host) it asks that leader over the channel.
 * Either way the run records the trigger it was given, in the store's history.
 */
import {
  connectFerry,
  deleteIndexedDbStore,
  type HostOptions,
  hostFerry,
  syncInBackground,
} from '@ferry/browser';
import { afterEach, expect, inject, it } from 'vitest';

const serverUrl = inject('ferryServerUrl');
const run = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
let stores = 0;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function hostOptions(): Promise<HostOptions> {
  const user = `bg-${run}-${++stores}`;
  const response = await fetch(`${serverUrl}/v1/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user, spaces: [user] }),
  });
  if (!response.ok) throw new Error(`dev token: ${response.status} ${await response.text()}`);
  const { token } = (await response.json()) as { token: string };
  const name = `ferry-background-run-${run}-${stores}`;
  cleanups.push(() => deleteIndexedDbStore(name));
  return {
    name,
    url: serverUrl,
    getToken: () => token,
    spaces: [user],
    defaultSpace: user,
    schedule: { triggers: [] },
  };
}

/** The store's run history, read through a leader started for it. */
async function triggersOf(options: HostOptions): Promise<string[][]> {
  const host = hostFerry(options);
  const client = connectFerry({ name: options.name, backgroundSyncTag: false });
  try {
    return (await client.history()).map((record) => [...record.triggers]);
  } finally {
    await client.close();
    await host.close();
  }
}

it('leads the store for the run when no context does, and records the trigger', async () => {
  const options = await hostOptions();
  await syncInBackground(options, { trigger: 'push' });
  await syncInBackground(options);
  expect(await triggersOf(options)).toEqual([['push'], ['background']]);
});

it('asks the leading context to run when one does, and that run records the trigger', async () => {
  const options = await hostOptions();
  const host = hostFerry(options);
  cleanups.push(() => host.close());
  const tab = connectFerry({ name: options.name, backgroundSyncTag: false });
  cleanups.push(() => tab.close());
  await tab.getClientId();
  expect(host.leading).toBe(true);
  await syncInBackground(options, { trigger: 'push' });
  await syncInBackground(options, { trigger: 'background' });
  expect((await tab.history()).map((record) => record.triggers)).toEqual([
    ['push'],
    ['background'],
  ]);
});
