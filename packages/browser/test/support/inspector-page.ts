/**
 * The page of the inspector's Chromium test: a client from `openFerry` on a real server,
 * one run that pushes two writes, then writes that stay pending (nothing triggers a run
 * on its own), and the inspector loaded the way an app loads it, with `React.lazy`.
 * The token and the space come in the URL's fragment.
 */
import { openFerry } from '@ferry/browser';
import { createElement as h, lazy, Suspense } from 'react';
import { createRoot } from 'react-dom/client';

const FerryInspector = lazy(() => import('@ferry/browser/inspector'));

const params = new URLSearchParams(location.hash.slice(1));
const token = params.get('token') ?? '';
const space = params.get('space') ?? '';

const client = openFerry({
  name: `inspector-${space}`,
  url: location.origin,
  getToken: () => token,
  defaultSpace: space,
  live: false,
  schedule: { triggers: [] },
});

const page = globalThis as { inspectorPage?: 'ready' | string };
try {
  const items = client.collection('items');
  await items.put('apples', { name: 'Apples', qty: 3 });
  await items.put('pears', { name: 'Pears', qty: 1 });
  await client.sync();
  await items.put('plums', { name: 'Plums', qty: 6 });
  await items.patch('apples', { qty: 4 });
  await client.collection('notes').delete('old-note');

  const mount = document.createElement('div');
  document.body.append(mount);
  createRoot(mount).render(
    h(Suspense, { fallback: null }, h(FerryInspector, { client, onClose: () => {} })),
  );
  page.inspectorPage = 'ready';
} catch (error) {
  page.inspectorPage = `failed: ${error instanceof Error ? error.message : String(error)}`;
}
