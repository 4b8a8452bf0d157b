/**
 * The static route compresses over real HTTP: a precompressed `.br` or `.gz` beside a file
 * is sent to a client that accepts it, a file without one is compressed on the fly, and every
 * encoding decodes to the file's exact bytes, with `Vary: Accept-Encoding`, an ETag of its
 * own, and the immutable caching of hashed assets kept. A stale or escaping copy is ignored.
 */
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptedCodings } from '../src/http/compression.ts';
import { isCompressibleType } from '../src/http/static-compression.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { type RunningServer, startServer } from './support/server.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bytes: Buffer;
}

/** A GET (or HEAD) over node:http, which leaves the body exactly as sent. */
function get(
  base: string,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          bytes: Buffer.concat(chunks),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function decode(answer: Answer): Buffer {
  const coding = answer.headers['content-encoding'];
  if (coding === 'br') return brotliDecompressSync(answer.bytes);
  if (coding === 'gzip') return gunzipSync(answer.bytes);
  if (coding === undefined) return answer.bytes;
  throw new Error(`unexpected content-encoding ${String(coding)}`);
}

/** JavaScript of about `size` bytes, compressible like a real bundle. */
function script(name: string, size: number): Buffer {
  let text = '';
  for (let i = 0; text.length < size; i++)
    text += `export function ${name}${i}(value) { return value * ${i} + ${(i * 7919) % 1000}; }\n`;
  return Buffer.from(text);
}

describe('static files, compressed', () => {
  let dir: string;
  let server: RunningServer;
  const precompressed = script('pre', 40_000);
  const plain = script('plain', 30_000);
  const gzOnly = script('gzonly', 20_000);
  const stale = script('stale', 20_000);
  const escaping = script('escaping', 20_000);
  const small = Buffer.from('console.log(1);');
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.alloc(4000, 7)]);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-static-zip-'));
    const site = join(dir, 'site');
    const assets = join(site, 'assets');
    await mkdir(assets, { recursive: true });
    await writeFile(join(site, 'index.html'), '<!doctype html><title>app</title>');
    await writeFile(join(assets, 'pre-abc.js'), precompressed);
    await writeFile(join(assets, 'pre-abc.js.br'), brotliCompressSync(precompressed));
    await writeFile(join(assets, 'pre-abc.js.gz'), gzipSync(precompressed));
    await writeFile(join(assets, 'plain-def.js'), plain);
    await writeFile(join(assets, 'gzonly-123.js'), gzOnly);
    await writeFile(join(assets, 'gzonly-123.js.gz'), gzipSync(gzOnly));
    // A copy older than its file is from an earlier build: it must not be sent.
    await writeFile(join(assets, 'stale-456.js'), stale);
    await writeFile(join(assets, 'stale-456.js.br'), brotliCompressSync(Buffer.from('old')));
    const past = new Date(Date.now() - 3_600_000);
    await utimes(join(assets, 'stale-456.js.br'), past, past);
    // A copy that is a link out of the folder must not be sent either.
    await writeFile(join(dir, 'outside.br'), brotliCompressSync(Buffer.from('outside')));
    await writeFile(join(assets, 'escaping-789.js'), escaping);
    await symlink(join(dir, 'outside.br'), join(assets, 'escaping-789.js.br'));
    await writeFile(join(assets, 'small-0.js'), small);
    await writeFile(join(site, 'picture.png'), png);
    server = await startServer(DATABASE_KINDS.find((kind) => kind.name === 'pglite')!, {
      staticDir: site,
    });
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['br', 'br'],
    ['gzip', 'gzip'],
    ['gzip, deflate, br, zstd', 'br'],
    ['br;q=0.5, gzip', 'gzip'],
    [undefined, undefined],
    ['identity', undefined],
  ])(
    'sends a precompressed file to Accept-Encoding %j as %j, the same bytes decoded',
    async (accept, coding) => {
      const answer = await get(
        server.url,
        '/assets/pre-abc.js',
        accept ? { 'accept-encoding': accept } : {},
      );
      expect(answer.status).toBe(200);
      expect(answer.headers['content-encoding']).toBe(coding);
      expect(answer.headers.vary).toMatch(/accept-encoding/i);
      expect(answer.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(answer.headers['cache-control']).toContain('immutable');
      expect(Number(answer.headers['content-length'])).toBe(answer.bytes.length);
      if (coding !== undefined) expect(answer.bytes.length).toBeLessThan(precompressed.length / 2);
      expect(decode(answer).equals(precompressed)).toBe(true);
    },
  );

  it.each([['br'], ['gzip']])(
    'compresses a file without a precompressed copy as %s on the fly, and again from memory',
    async (coding) => {
      for (let i = 0; i < 2; i++) {
        const answer = await get(server.url, '/assets/plain-def.js', { 'accept-encoding': coding });
        expect(answer.status).toBe(200);
        expect(answer.headers['content-encoding']).toBe(coding);
        expect(answer.headers.vary).toMatch(/accept-encoding/i);
        expect(answer.bytes.length).toBeLessThan(plain.length / 2);
        expect(decode(answer).equals(plain)).toBe(true);
      }
    },
  );

  it('prefers a precompressed copy in a coding the client accepts to compressing on the fly', async () => {
    const answer = await get(server.url, '/assets/gzonly-123.js', {
      'accept-encoding': 'br, gzip',
    });
    expect(answer.headers['content-encoding']).toBe('gzip');
    expect(decode(answer).equals(gzOnly)).toBe(true);
    const brOnly = await get(server.url, '/assets/gzonly-123.js', { 'accept-encoding': 'br' });
    expect(brOnly.headers['content-encoding']).toBe('br');
    expect(decode(brOnly).equals(gzOnly)).toBe(true);
  });

  it('ignores a copy older than its file, or one that links out of the folder', async () => {
    for (const [path, bytes] of [
      ['/assets/stale-456.js', stale],
      ['/assets/escaping-789.js', escaping],
    ] as const) {
      const answer = await get(server.url, path, { 'accept-encoding': 'br' });
      expect(answer.status).toBe(200);
      expect(answer.headers['content-encoding']).toBe('br');
      expect(decode(answer).equals(bytes)).toBe(true);
    }
  });

  it('sends small files and images as they are, without Vary', async () => {
    for (const [path, bytes] of [
      ['/assets/small-0.js', small],
      ['/picture.png', png],
    ] as const) {
      const answer = await get(server.url, path, { 'accept-encoding': 'gzip, br' });
      expect(answer.status).toBe(200);
      expect(answer.headers['content-encoding']).toBeUndefined();
      expect(answer.headers.vary).toBeUndefined();
      expect(answer.bytes.equals(bytes)).toBe(true);
    }
  });

  it('answers HEAD with the encoded length and no body', async () => {
    const head = await get(
      server.url,
      '/assets/plain-def.js',
      { 'accept-encoding': 'gzip' },
      'HEAD',
    );
    const full = await get(server.url, '/assets/plain-def.js', { 'accept-encoding': 'gzip' });
    expect(head.status).toBe(200);
    expect(head.headers['content-encoding']).toBe('gzip');
    expect(head.bytes.length).toBe(0);
    expect(head.headers['content-length']).toBe(String(full.bytes.length));
  });

  it('gives each encoding an ETag of its own, and revalidates each against its own', async () => {
    const tags = new Set<string>();
    for (const accept of ['br', 'gzip', 'identity']) {
      const answer = await get(server.url, '/assets/pre-abc.js', { 'accept-encoding': accept });
      const etag = String(answer.headers.etag);
      tags.add(etag);
      const again = await get(server.url, '/assets/pre-abc.js', {
        'accept-encoding': accept,
        'if-none-match': etag,
      });
      expect(again.status).toBe(304);
      expect(again.headers.vary).toMatch(/accept-encoding/i);
    }
    expect(tags.size).toBe(3);
    const brTag = String(
      (await get(server.url, '/assets/pre-abc.js', { 'accept-encoding': 'br' })).headers.etag,
    );
    const otherEncoding = await get(server.url, '/assets/pre-abc.js', {
      'accept-encoding': 'gzip',
      'if-none-match': brTag,
    });
    expect(otherEncoding.status).toBe(200);
    expect(decode(otherEncoding).equals(precompressed)).toBe(true);
  });
});

describe('static compression choices', () => {
  it('compresses text, scripts, JSON, SVG and WASM, not images or fonts', () => {
    for (const type of [
      'text/html; charset=utf-8',
      'text/javascript; charset=utf-8',
      'text/css; charset=utf-8',
      'application/json; charset=utf-8',
      'application/manifest+json; charset=utf-8',
      'image/svg+xml',
      'application/wasm',
    ])
      expect(isCompressibleType(type), type).toBe(true);
    for (const type of ['image/png', 'image/x-icon', 'font/woff2', 'application/octet-stream'])
      expect(isCompressibleType(type), type).toBe(false);
  });

  it('orders the accepted codings by the client’s qualities, brotli first on a tie', () => {
    expect(acceptedCodings('gzip, br')).toEqual(['br', 'gzip']);
    expect(acceptedCodings('br;q=0.2, gzip;q=0.9')).toEqual(['gzip', 'br']);
    expect(acceptedCodings('gzip')).toEqual(['gzip']);
    expect(acceptedCodings('*;q=0.5, br;q=0')).toEqual(['gzip']);
    expect(acceptedCodings('identity')).toEqual([]);
    expect(acceptedCodings(null)).toEqual([]);
  });
});
