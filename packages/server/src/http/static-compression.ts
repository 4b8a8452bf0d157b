/**
 * Compressed bodies for the static route. A build step can write a `.br` and a `.gz` copy
 * next to each file (the demo's Vite build does, at brotli's and gzip's best settings);
 * such a copy is sent when the client accepts it and it is not older than its file. For a
 * file without one, the route compresses it once (brotli quality 5, gzip level 6: a few
 * milliseconds per 100 KB, within a few percent of the best settings for JavaScript) and
 * keeps the result in memory while the file is unchanged, up to 32 MiB for all files.
 */
import type { Stats } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { ContentCoding } from './compression.ts';

/** Files up to this size go as they are: the headers would outweigh the saving. */
export const STATIC_COMPRESSION_MIN_BYTES = 1024;
/** Larger files without a precompressed copy go as they are, rather than hold a core. */
const MAX_ON_THE_FLY_BYTES = 8 * 1024 * 1024;
const CACHE_MAX_BYTES = 32 * 1024 * 1024;

/** The file name ending of each coding's precompressed copy. */
export const PRECOMPRESSED_SUFFIX: Readonly<Record<ContentCoding, string>> = {
  br: '.br',
  gzip: '.gz',
};

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Text, JSON, JavaScript, SVG, a web manifest and WASM compress well; images and fonts do not. */
export function isCompressibleType(contentType: string): boolean {
  const type = contentType.split(';')[0]!.trim();
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type === 'application/manifest+json' ||
    type === 'image/svg+xml' ||
    type === 'application/wasm'
  );
}

/**
 * The precompressed copy beside `path` (a file inside `root`) for `coding`: a regular file
 * inside `root` at least as new as the file; otherwise undefined.
 */
export async function precompressedCopy(
  root: string,
  path: string,
  file: Stats,
  coding: ContentCoding,
): Promise<{ path: string; size: number } | undefined> {
  try {
    const real = await realpath(`${path}${PRECOMPRESSED_SUFFIX[coding]}`);
    if (!real.startsWith(root + sep)) return undefined;
    const info = await stat(real);
    if (!info.isFile() || info.mtimeMs < file.mtimeMs) return undefined;
    return { path: real, size: info.size };
  } catch {
    return undefined;
  }
}

interface Cached {
  size: number;
  mtimeMs: number;
  body: Promise<Uint8Array>;
  bytes: number;
}

/** Files compressed on the fly, kept while unchanged; the least recently used go first. */
export class CompressedFileCache {
  private readonly entries = new Map<string, Cached>();
  private total = 0;

  constructor(private readonly maxBytes = CACHE_MAX_BYTES) {}

  /** True when a file of this size is compressed on the fly at all. */
  static worthIt(size: number): boolean {
    return size > STATIC_COMPRESSION_MIN_BYTES && size <= MAX_ON_THE_FLY_BYTES;
  }

  /** `path` (whose stat is `file`) compressed with `coding`. */
  get(path: string, file: Stats, coding: ContentCoding): Promise<Uint8Array> {
    const key = `${coding}:${path}`;
    const found = this.entries.get(key);
    if (found && found.size === file.size && found.mtimeMs === file.mtimeMs) {
      this.entries.delete(key);
      this.entries.set(key, found);
      return found.body;
    }
    if (found) this.forget(key, found);
    const entry: Cached = {
      size: file.size,
      mtimeMs: file.mtimeMs,
      body: compressFile(path, coding),
      bytes: 0,
    };
    this.entries.set(key, entry);
    entry.body.then(
      (bytes) => {
        if (this.entries.get(key) !== entry) return;
        entry.bytes = bytes.byteLength;
        this.total += entry.bytes;
        this.evict();
      },
      () => this.forget(key, entry),
    );
    return entry.body;
  }

  private forget(key: string, entry: Cached): void {
    if (this.entries.get(key) !== entry) return;
    this.entries.delete(key);
    this.total -= entry.bytes;
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.total <= this.maxBytes) return;
      this.forget(key, entry);
    }
  }
}

async function compressFile(path: string, coding: ContentCoding): Promise<Uint8Array> {
  const bytes = await readFile(path);
  if (coding === 'gzip') return gzipAsync(bytes, { level: 6 });
  return brotliAsync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 5,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
}
