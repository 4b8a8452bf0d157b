/**
 * The in-browser code of the browser workloads, bundled with esbuild (a production build)
 * into a temporary folder with one HTML page per entry, and served by a tiny static server.
 * The long-task observer is an inline script in every page, before any module, so it sees
 * every long task from the start (`buffered: true`).
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const PAGES = fileURLToPath(new URL('./pages/', import.meta.url));
const ENTRIES = ['w1b-ferry', 'w1b-floor', 'w1b-pouchdb', 'w1b-rxdb', 'boot-page', 'boot-worker'];

const LONG_TASKS = `<script>
window.benchLongTasks = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.benchLongTasks.push({ startTime: e.startTime, duration: e.duration });
}).observe({ type: 'longtask', buffered: true });
window.benchClicks = [];
document.addEventListener('click', (e) => {
  window.benchClicks.push({ timeStamp: e.timeStamp, latency: performance.now() - e.timeStamp });
});
</script>`;

function html(entry: string): string {
  const pouch = entry === 'w1b-pouchdb' ? '<script src="/pouchdb.min.js"></script>' : '';
  return `<!doctype html><html><head><meta charset="utf-8"><title>${entry}</title>${LONG_TASKS}${pouch}
<script type="module" src="/${entry}.js"></script></head>
<body><button id="probe" style="position:fixed;left:0;top:0;width:200px;height:100px">probe</button></body></html>`;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

export interface BrowserBundle {
  /** Origin of the static server, e.g. http://127.0.0.1:1234 */
  origin: string;
  close(): Promise<void>;
}

export interface BundleOptions {
  /** The pages to build (default: those of W1B and BOOT). */
  entries?: readonly string[];
  /**
   * Extra package export conditions: `['@ferry/source']` bundles Ferry's sources instead of
   * its built `dist/`, as the Node workloads run them with `--conditions=@ferry/source`.
   */
  conditions?: readonly string[];
}

export async function bundleBrowserPages(options: BundleOptions = {}): Promise<BrowserBundle> {
  const entries = options.entries ?? ENTRIES;
  const dir = await mkdtemp(join(tmpdir(), 'ferry-bench-browser-'));
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      entryPoints: entries.map((e) => join(PAGES, `${e}.ts`)),
      ...(options.conditions === undefined ? {} : { conditions: [...options.conditions] }),
      outdir: dir,
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      splitting: false,
      define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
      logLevel: 'error',
    });
  } finally {
    if (previous === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = previous;
  }
  const require = createRequire(import.meta.url);
  await copyFile(require.resolve('pouchdb/dist/pouchdb.min.js'), join(dir, 'pouchdb.min.js'));
  for (const entry of entries) await writeFile(join(dir, `${entry}.html`), html(entry));
  const server = createServer(async (request, response) => {
    const path = normalize(new URL(request.url ?? '/', 'http://x').pathname).replace(/^\/+/, '');
    try {
      const body = await readFile(join(dir, path));
      response.writeHead(200, {
        'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
      });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
