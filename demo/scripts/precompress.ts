/**
 * A Vite plugin that writes a brotli (`.br`, quality 11) and a gzip (`.gz`, level 9) copy
 * next to every compressible file of the build, with nothing but node:zlib. `ferry serve
 * --static-dir` sends these to browsers that accept them instead of compressing on each
 * start, and at settings too slow to use on the fly. A copy that would not be smaller than
 * its file is not written.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin, ResolvedConfig } from 'vite';

const COMPRESSIBLE = new Set([
  '.html',
  '.js',
  '.mjs',
  '.css',
  '.json',
  '.map',
  '.webmanifest',
  '.svg',
  '.txt',
  '.wasm',
]);

/** Files up to this size are left alone: the headers would outweigh the saving. */
const MIN_BYTES = 1024;

function* filesUnder(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else if (entry.isFile()) yield path;
  }
}

/** Writes `<file>.br` and `<file>.gz` for each compressible file under `dir`; returns how many files. */
export function precompressFolder(dir: string): number {
  let count = 0;
  for (const path of [...filesUnder(dir)]) {
    if (!COMPRESSIBLE.has(extname(path).toLowerCase()) || statSync(path).size <= MIN_BYTES)
      continue;
    const bytes = readFileSync(path);
    const br = brotliCompressSync(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    });
    const gz = gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION });
    if (br.length < bytes.length) writeFileSync(`${path}.br`, br);
    if (gz.length < bytes.length) writeFileSync(`${path}.gz`, gz);
    count++;
  }
  return count;
}

export function precompress(): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'ferry-demo-precompress',
    apply: 'build',
    configResolved(resolved) {
      config = resolved;
    },
    closeBundle() {
      const dir = resolve(config.root, config.build.outDir);
      const count = precompressFolder(dir);
      config.logger.info(`precompressed ${count} files (.br, .gz) in ${config.build.outDir}`);
    },
  };
}
