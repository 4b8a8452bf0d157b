/** What `npm install` put in a consumer's node_modules, package by package, nested ones too. */
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export interface InstalledPackage {
  name: string;
  /** Where it sits, e.g. `<consumer>/node_modules/@ferry/client`. */
  path: string;
  symlink: boolean;
  realpath: string;
}

function packagesIn(nodeModules: string, found: InstalledPackage[]): void {
  if (!existsSync(nodeModules)) return;
  for (const entry of readdirSync(nodeModules)) {
    if (entry.startsWith('.')) continue; // .bin, .package-lock.json
    const path = join(nodeModules, entry);
    if (entry.startsWith('@')) {
      for (const scoped of readdirSync(path))
        visit(`${entry}/${scoped}`, join(path, scoped), found);
    } else {
      visit(entry, path, found);
    }
  }
}

function visit(name: string, path: string, found: InstalledPackage[]): void {
  const symlink = lstatSync(path).isSymbolicLink();
  found.push({ name, path, symlink, realpath: realpathSync(path) });
  // A link's own node_modules belong to wherever it points; the check on links reports it.
  if (!symlink) packagesIn(join(path, 'node_modules'), found);
}

export function installedPackages(consumer: string): InstalledPackage[] {
  const found: InstalledPackage[] = [];
  packagesIn(join(consumer, 'node_modules'), found);
  return found;
}

/**
 * Ferry packages that are not a real folder inside the consumer: a symlink (a workspace
 * link, `npm link`) or a folder elsewhere. Each is described in words; none is expected.
 */
export function ferryLinkLeaks(consumer: string): string[] {
  const root = realpathSync(consumer);
  return installedPackages(consumer)
    .filter((pkg) => pkg.name.startsWith('@ferry/'))
    .filter((pkg) => pkg.symlink || relative(root, pkg.realpath).startsWith(`..${sep}`))
    .map((pkg) => `${pkg.name} at ${pkg.path} -> ${pkg.realpath}`);
}

/** Ferry's own tools and the benchmark's peers, which no app that uses Ferry should receive. */
const DEVELOPMENT_ONLY =
  /^(rxdb|rxjs|pouchdb|pouchdb-.*|express-pouchdb|playwright|playwright-core|@playwright\/.*|vitest|@vitest\/.*|tsx|fake-indexeddb|fast-check|@biomejs\/.*)$/;

/** Names of development-only packages in the consumer's tree, minus those `allowed`. */
export function developmentPackages(
  consumer: string,
  allowed: RegExp | undefined = undefined,
): string[] {
  const names = new Set(installedPackages(consumer).map((pkg) => pkg.name));
  return [...names].filter((name) => DEVELOPMENT_ONLY.test(name) && !allowed?.test(name)).sort();
}

/** The names of the `@ferry/*` packages installed anywhere in the tree. */
export function ferryPackages(consumer: string): string[] {
  return [...new Set(installedPackages(consumer).map((pkg) => pkg.name))]
    .filter((name) => name.startsWith('@ferry/'))
    .sort();
}

/**
 * Where npm's lockfile says each installed `@ferry/*` package came from, by its place in
 * the tree. A tarball is `file:….tgz`; anything else came from a registry or a link.
 */
export function ferrySources(consumer: string): Record<string, string> {
  const lock = JSON.parse(readFileSync(join(consumer, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { resolved?: string; link?: boolean }>;
  };
  const sources: Record<string, string> = {};
  for (const [place, entry] of Object.entries(lock.packages)) {
    if (!/(^|\/)node_modules\/@ferry\/[^/]+$/.test(place)) continue;
    sources[place] = entry.link ? `link to ${entry.resolved}` : (entry.resolved ?? 'unknown');
  }
  return sources;
}
