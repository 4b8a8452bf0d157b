/**
 * The repository's npm workspaces as their package.json files describe them, for the tests
 * that check what gets published (release.test.ts, api-docs.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname;

/** The package.json fields these tests read; everything else is left untyped. */
export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  description?: string;
  license?: string;
  repository?: { type?: string; url?: string; directory?: string };
  engines?: { node?: string };
  files?: string[];
  exports?: Record<string, string | Record<string, string>>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  workspaces?: string[];
}

export interface Workspace {
  /** The workspace folder relative to the repository root: `packages/client`, `demo`… */
  dir: string;
  manifest: Manifest;
}

export function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** Every workspace the root package.json lists, in its order. */
export function workspaces(root: string = ROOT): Workspace[] {
  return (readManifest(root).workspaces ?? []).map((dir) => ({
    dir,
    manifest: readManifest(join(root, dir)),
  }));
}

/** The workspaces published to npm: every one not marked private. */
export function publishedWorkspaces(root: string = ROOT): Workspace[] {
  return workspaces(root).filter((workspace) => !workspace.manifest.private);
}

/**
 * The import specifiers of a package's public entry points: `@ferry/browser` and
 * `@ferry/browser/react`, say. `./package.json` is not an entry point, and `internal`
 * subpaths exist for Ferry's own packages only.
 */
export function publicSpecifiers(manifest: Manifest): string[] {
  return Object.keys(manifest.exports ?? {})
    .filter((subpath) => subpath !== './package.json' && !subpath.split('/').includes('internal'))
    .map((subpath) => (subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`));
}
