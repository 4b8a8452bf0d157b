/**
 * What Ferry costs an app in the browser: the client (`createClient`), `openFerry`, the
 * IndexedDB store and the React hooks, bundled from the packages' compiled dist/ as an
 * app's production build bundles them (esbuild, minified, tree-shaken), then gzipped.
 * React is the app's own and stays out of the figure.
 */
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';

/** The app code the figure is for: it uses exactly these exports. */
export const SIZE_ENTRY = `
export { createClient } from '@ferry/client';
export { openFerry, openIndexedDbStore } from '@ferry/browser';
export {
  FerryProvider,
  useCollection,
  useFerry,
  useQuery,
  useRecord,
  useRejections,
  useSyncStatus,
} from '@ferry/browser/react';
`;

export interface Contributor {
  /** A package-relative path, e.g. `@ferry/client/dist/client.js`. */
  module: string;
  /** Minified bytes this module left in the bundle (before gzip, which is not additive). */
  minifiedBytes: number;
}

export interface SizeReport {
  minifiedBytes: number;
  gzipBytes: number;
  /** Every module in the bundle, largest first. */
  contributors: Contributor[];
}

/** `packages/client/dist/x.js` (how esbuild names a workspace file) as `@ferry/client/dist/x.js`. */
function moduleName(input: string): string {
  return input
    .replace(/^(?:.*\/)?packages\/([^/]+)\//, '@ferry/$1/')
    .replace(/^.*node_modules\//, '');
}

function contributorsOf(metafile: Metafile): Contributor[] {
  const output = Object.values(metafile.outputs)[0];
  if (output === undefined) throw new Error('esbuild produced no output');
  return Object.entries(output.inputs)
    .map(([input, { bytesInOutput }]) => ({
      module: moduleName(input),
      minifiedBytes: bytesInOutput,
    }))
    .filter((contributor) => contributor.minifiedBytes > 0)
    .sort((a, b) => b.minifiedBytes - a.minifiedBytes);
}

export async function measureClientSize(repository: string): Promise<SizeReport> {
  const result = await build({
    stdin: { contents: SIZE_ENTRY, resolveDir: repository, sourcefile: 'app.js', loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: ['react', 'react-dom'],
    define: { 'process.env.NODE_ENV': '"production"' },
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents;
  if (code === undefined) throw new Error('esbuild produced no output');
  return {
    minifiedBytes: code.byteLength,
    gzipBytes: gzipSync(code, { level: 9 }).byteLength,
    contributors: contributorsOf(result.metafile),
  };
}
