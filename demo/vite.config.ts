/**
 * The demo's build: the app (index.html) and its service worker (src/sw.ts) from one
 * build. The service worker must keep a fixed name at the root (`/sw.js`), so it scopes the
 * whole app and the page can register it; everything else is content-hashed under
 * `assets/`. `app-shell.json` lists every file, for the service worker to cache on install.
 * Each compressible file gets a `.br` and a `.gz` copy beside it (scripts/precompress.ts),
 * which `ferry serve --static-dir` sends to browsers that accept them.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';
import { precompress } from './scripts/precompress.ts';

const PUBLIC_FILES = [
  '/manifest.webmanifest',
  '/icon.svg',
  '/icon-192.png',
  '/icon-512.png',
  '/apple-touch-icon.png',
];

function appShell(): Plugin {
  return {
    name: 'ferry-demo-app-shell',
    apply: 'build',
    generateBundle(_options, bundle) {
      const built = Object.keys(bundle)
        .filter((name) => name !== 'sw.js' && !name.endsWith('.map'))
        .map((name) => `/${name}`);
      // index.html may be emitted after this hook runs, so it is named here too.
      const files = [...new Set([...built, '/index.html', ...PUBLIC_FILES])].sort();
      this.emitFile({
        type: 'asset',
        fileName: 'app-shell.json',
        source: JSON.stringify({ files }),
      });
    },
  };
}

export default defineConfig({
  plugins: [react(), appShell(), precompress()],
  // The demo builds Ferry from its TypeScript sources, so it needs no package build first.
  resolve: { conditions: ['@ferry/source', ...defaultClientConditions] },
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rolldownOptions: {
      input: {
        index: fileURLToPath(new URL('./index.html', import.meta.url)),
        sw: fileURLToPath(new URL('./src/sw.ts', import.meta.url)),
      },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  server: {
    // `npm run dev --workspace @ferry/demo` next to `npm start`'s server.
    proxy: { '/v1': 'http://127.0.0.1:8787' },
  },
});
