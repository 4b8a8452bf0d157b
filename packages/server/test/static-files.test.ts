/** `staticDir`: a built app served next to the API over real HTTP, and every way out of the folder refused. */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServeConfig } from '../src/cli/config.ts';
import { createStaticFiles, safeSegments } from '../src/http/static-files.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { type RunningServer, startServer } from './support/server.ts';

/** Sends `path` byte for byte (fetch would normalise `..` away before it leaves). */
function raw(
  base: string,
  path: string,
  method = 'GET',
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const INDEX = '<!doctype html><title>app</title>';

describe('static files', () => {
  let dir: string;
  let site: string;
  let server: RunningServer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-static-'));
    site = join(dir, 'site');
    await mkdir(join(site, 'assets'), { recursive: true });
    await writeFile(join(dir, 'secret.txt'), 'outside');
    await writeFile(join(site, 'index.html'), INDEX);
    await writeFile(join(site, 'sw.js'), 'self.addEventListener("fetch", () => {});');
    await writeFile(join(site, 'manifest.webmanifest'), '{"name":"app"}');
    await writeFile(join(site, 'assets', 'index-abc123.js'), 'console.log(1);');
    await writeFile(join(site, 'assets', 'index-abc123.css'), 'body{}');
    await writeFile(join(site, 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await writeFile(join(site, 'icon-192.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    await writeFile(join(site, 'robots.txt'), 'User-agent: *');
    await symlink(join(dir, 'secret.txt'), join(site, 'link.txt'));
    await symlink(dir, join(site, 'out'));
    const pglite = DATABASE_KINDS.find((kind) => kind.name === 'pglite')!;
    server = await startServer(pglite, { staticDir: site, dev: true });
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves index.html at / without caching', async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(await response.text()).toBe(INDEX);
  });

  it.each([
    ['/sw.js', 'text/javascript; charset=utf-8', 'no-cache'],
    ['/manifest.webmanifest', 'application/manifest+json; charset=utf-8', 'no-cache'],
    ['/assets/index-abc123.js', 'text/javascript; charset=utf-8', 'immutable'],
    ['/assets/index-abc123.css', 'text/css; charset=utf-8', 'immutable'],
    ['/icon.svg', 'image/svg+xml', 'no-cache'],
    ['/icon-192.png', 'image/png', 'no-cache'],
    ['/robots.txt', 'text/plain; charset=utf-8', 'no-cache'],
  ])('serves %s as %s', async (path, type, cache) => {
    const response = await fetch(server.url + path);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(type);
    expect(response.headers.get('cache-control')).toContain(cache);
    await response.arrayBuffer();
  });

  it('answers HEAD with the headers and no body, and 304 to a matching ETag', async () => {
    const head = await raw(server.url, '/sw.js', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(head.body).toBe('');
    const etag = (await fetch(`${server.url}/sw.js`)).headers.get('etag')!;
    const again = await fetch(`${server.url}/sw.js`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('falls back to index.html for extensionless paths, 404 for missing assets', async () => {
    const route = await fetch(`${server.url}/lists/team`);
    expect(route.status).toBe(200);
    expect(await route.text()).toBe(INDEX);
    expect((await fetch(`${server.url}/assets/missing-1.js`)).status).toBe(404);
    expect((await fetch(`${server.url}/favicon.ico`)).status).toBe(404);
  });

  it('keeps the API first', async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(200);
    // GET on a POST-only route is still the API's 405, and unknown API paths its 404.
    expect((await fetch(`${server.url}/v1/push`)).status).toBe(405);
    const unknown = await fetch(`${server.url}/v1/nope`);
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('not_found');
    const token = await server.post('/v1/dev/token', { user: 'alice' });
    expect(token.status).toBe(200);
  });

  it.each([
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/..%5csecret.txt',
    '/%2fetc%2fpasswd',
    '//etc/passwd',
    '/link.txt',
    '/out/secret.txt',
    '/%00',
    '/%zz',
    '/C:%5cWindows%5cwin.ini',
  ])('refuses %s with 404', async (path) => {
    const response = await raw(server.url, path);
    expect(response.status).toBe(404);
    expect(response.body).not.toContain('outside');
  });

  it('never answers 5xx to an odd path', async () => {
    for (const path of ['/%', '/a%2', '/%c0%ae%c0%ae/secret.txt', `/${'a'.repeat(4000)}`]) {
      const response = await raw(server.url, path);
      expect(response.status).toBeLessThan(500);
      expect(response.body).not.toContain('outside');
    }
  });
});

describe('safeSegments', () => {
  it('decodes segments and refuses ways out', () => {
    expect(safeSegments('/')).toEqual([]);
    expect(safeSegments('/assets/a%20b.js')).toEqual(['assets', 'a b.js']);
    expect(safeSegments('/assets/')).toEqual(['assets']);
    for (const bad of ['/..', '/%2e%2E', '/a/./b', '//x', '/a%2fb', '/a%5cb', '/%00', 'x', '/%']) {
      expect(safeSegments(bad)).toBeNull();
    }
  });
});

describe('static dir configuration', () => {
  it('comes from --static-dir or FERRY_STATIC_DIR, the flag first', () => {
    expect(parseServeConfig(['--dev'], {}).staticDir).toBeUndefined();
    expect(parseServeConfig(['--dev'], { FERRY_STATIC_DIR: 'web' }).staticDir).toBe('web');
    expect(
      parseServeConfig(['--dev', '--static-dir', 'dist'], { FERRY_STATIC_DIR: 'web' }).staticDir,
    ).toBe('dist');
  });

  it('refuses a folder that does not exist, saying so', async () => {
    await expect(createStaticFiles('/no/such/ferry/dist')).rejects.toThrow(/does not exist/);
  });
});
