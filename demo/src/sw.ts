/**
 * The demo's service worker, built to `/sw.js`. It keeps the app shell so the app opens
 * offline (network first for pages, with the cached `/index.html` as the fallback; hashed
 * assets from the cache), and lets Ferry sync with every tab closed: Background Sync after
 * a write made offline, periodic sync in an installed app, and Web Push from the server.
 */
import { handleBackgroundSync } from '@ferry/browser';
import { hostOptions } from './ferry-options.ts';
import { currentUser } from './session.ts';

declare const self: ServiceWorkerGlobalScope;

const CACHE = 'ferry-demo-shell-v1';

async function precache(): Promise<void> {
  const cache = await caches.open(CACHE);
  // Written by the build (vite.config.ts): every file of this version of the app.
  const response = await fetch('/app-shell.json', { cache: 'no-cache' }).catch(() => undefined);
  if (!response?.ok) return; // `vite dev`: nothing to keep
  const { files } = (await response.json()) as { files: string[] };
  await cache.addAll(files);
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

async function networkFirst(request: Request, fallback: string): Promise<Response> {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(fallback, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(fallback);
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  // The sync API is Ferry's business, never the cache's.
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/v1/')) return;
  if (request.mode === 'navigate') event.respondWith(networkFirst(request, '/index.html'));
  else if (url.pathname.startsWith('/assets/')) event.respondWith(cacheFirst(request));
  else event.respondWith(networkFirst(request, url.pathname));
});

handleBackgroundSync(self, {
  host: async () => {
    const user = await currentUser();
    return user === null ? null : hostOptions(user);
  },
  notification: ({ pulled }) =>
    pulled > 0
      ? { title: 'Ferry lists', body: `${pulled} change${pulled === 1 ? '' : 's'} synced` }
      : null,
});
