/**
 * Serving an app's built files (a PWA's `dist`) next to the API, for `ferry serve
 * --static-dir`. Small on purpose: GET and HEAD, content types for what a Vite build emits,
 * `index.html` as the fallback for extensionless paths (client-side routing), ETag
 * revalidation, and brotli or gzip for compressible files (text, JavaScript, JSON, SVG,
 * WASM) to clients that accept them, from a `.br` or `.gz` copy beside the file when there
 * is one (see static-compression.ts). Anything that could leave the folder (`..`, encoded
 * separators, empty segments, symlinks pointing out) is answered 404, as is any file-system
 * error: a bad path never gets a 5xx.
 */
import type { Stats } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { FerryConfigError } from '../errors.ts';
import { acceptedCodings, type ContentCoding } from './compression.ts';
import {
  CompressedFileCache,
  isCompressibleType,
  precompressedCopy,
  STATIC_COMPRESSION_MIN_BYTES,
} from './static-compression.ts';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/** Vite's content-hashed output: safe to keep for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Everything else is revalidated (cheaply, by ETag) so a new deploy shows at once. */
const REVALIDATE = 'no-cache';

/** Answers a GET or HEAD for `pathname` (the URL path below where the files are mounted). */
export type StaticFiles = (request: Request, pathname: string) => Promise<Response>;

/** Resolves `dir` once (it must exist and be a folder) and returns the request handler. */
export async function createStaticFiles(dir: string): Promise<StaticFiles> {
  const root = await realpath(dir).catch(() => {
    throw new FerryConfigError(
      'staticDir',
      `staticDir "${dir}" does not exist: build the app into it first, or check the path (it is resolved from ${process.cwd()}).`,
    );
  });
  if (!(await stat(root)).isDirectory()) {
    throw new FerryConfigError(
      'staticDir',
      `staticDir "${dir}" is a file, not a folder: give the folder the app was built into (e.g. its dist).`,
    );
  }
  const cache = new CompressedFileCache();
  return (request, pathname) =>
    serveStatic({ root, cache }, request, pathname).catch(() => notFound(request));
}

interface Site {
  root: string;
  cache: CompressedFileCache;
}

/** Decoded path segments, or null when the path tries to leave the folder or is malformed. */
export function safeSegments(pathname: string): string[] | null {
  if (!pathname.startsWith('/')) return null;
  const raw = pathname.slice(1).split('/');
  // A trailing slash names a folder; any other empty segment (`//etc`) is refused.
  if (raw.at(-1) === '') raw.pop();
  const segments: string[] = [];
  for (const part of raw) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      return null;
    }
    if (
      decoded === '' ||
      decoded === '.' ||
      decoded === '..' ||
      /[/\\\0]/.test(decoded) ||
      /^[A-Za-z]:/.test(decoded)
    )
      return null;
    segments.push(decoded);
  }
  return segments;
}

async function serveStatic(site: Site, request: Request, pathname: string): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return notFound(request);
  const segments = safeSegments(pathname);
  if (segments === null) return notFound(request);
  if (segments.length === 0) return sendFile(site, 'index.html', request);

  const found = await resolveInside(site.root, join(site.root, ...segments));
  if (found === 'outside') return notFound(request);
  if (found !== 'missing') return sendFile(site, segments.join('/'), request, found);
  // A path without an extension is a client-side route: the app shell handles it.
  const last = segments.at(-1) ?? '';
  if (extname(last) === '') return sendFile(site, 'index.html', request);
  return notFound(request);
}

/** The real path of a regular file inside `root`, or why not. */
async function resolveInside(root: string, path: string): Promise<string | 'missing' | 'outside'> {
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    return 'missing';
  }
  if (!real.startsWith(root + sep)) return 'outside';
  return (await stat(real)).isFile() ? real : 'missing';
}

/** What is sent for a file: its bytes as they are, or compressed with `coding`. */
interface Body {
  coding: ContentCoding | undefined;
  size: number;
  read(): Promise<Uint8Array>;
}

/**
 * The body for `request`: a precompressed copy in the coding the client wants most that has
 * one, else the file compressed on the fly in that coding, else the file as it is.
 */
async function chooseBody(
  site: Site,
  path: string,
  info: Stats,
  compressible: boolean,
  request: Request,
): Promise<Body> {
  const plain: Body = { coding: undefined, size: info.size, read: () => readFile(path) };
  if (!compressible) return plain;
  const codings = acceptedCodings(request.headers.get('accept-encoding'));
  for (const coding of codings) {
    const copy = await precompressedCopy(site.root, path, info, coding);
    if (copy) return { coding, size: copy.size, read: () => readFile(copy.path) };
  }
  const coding = codings[0];
  if (coding === undefined || !CompressedFileCache.worthIt(info.size)) return plain;
  const bytes = await site.cache.get(path, info, coding);
  if (bytes.byteLength >= info.size) return plain;
  return { coding, size: bytes.byteLength, read: async () => bytes };
}

async function sendFile(
  site: Site,
  relative: string,
  request: Request,
  resolved?: string,
): Promise<Response> {
  const path = resolved ?? (await resolveInside(site.root, join(site.root, relative)));
  if (path === 'missing' || path === 'outside') return notFound(request);
  const info = await stat(path);
  const name = relative.split('/').at(-1) ?? '';
  const extension = extname(name).toLowerCase();
  const contentType = CONTENT_TYPES[extension] ?? 'application/octet-stream';
  const compressible = isCompressibleType(contentType) && info.size > STATIC_COMPRESSION_MIN_BYTES;
  const body = await chooseBody(site, path, info, compressible, request);
  // Each encoding is a representation of its own, with an ETag of its own.
  const tag = `${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}`;
  const etag = `W/"${body.coding === undefined ? tag : `${tag}-${body.coding}`}"`;
  const headers = new Headers({
    'content-type': contentType,
    'cache-control': relative.startsWith('assets/') ? IMMUTABLE : REVALIDATE,
    etag,
    'last-modified': info.mtime.toUTCString(),
    'x-content-type-options': 'nosniff',
  });
  // Caches must keep each encoding apart, including the plain one.
  if (compressible) headers.set('vary', 'accept-encoding');
  if (matches(request.headers.get('if-none-match'), etag))
    return new Response(null, { status: 304, headers });
  if (body.coding !== undefined) headers.set('content-encoding', body.coding);
  headers.set('content-length', String(body.size));
  if (request.method === 'HEAD') return new Response(null, { status: 200, headers });
  return new Response(new Uint8Array(await body.read()), { status: 200, headers });
}

/** True when `If-None-Match` (one tag, a list, or `*`) names `etag`. */
function matches(header: string | null, etag: string): boolean {
  if (header === null) return false;
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed === etag;
  });
}

function notFound(request: Request): Response {
  return new Response(request.method === 'HEAD' ? null : 'Not found\n', {
    status: 404,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' },
  });
}
