/**
 * The API reference (`npm run docs`): one page per public entry point of the published
 * packages, generated from the JSDoc in their TypeScript sources.
 *
 * The entry points are read from each package's `exports`, through the `@ferry/source`
 * condition, so a new subpath is documented without touching this file; `internal` subpaths
 * are for Ferry's own packages and stay out. TypeDoc reads the sources with that condition
 * too (tsconfig.typedoc.json), as one program: a type one package re-exports from another
 * links to the page of the package that declares it, and no build is needed first.
 *
 * TypeDoc also loads this file as a plugin (`load` below) to name each module by the
 * specifier users import (`@ferry/browser/react`) instead of its folder (`browser/src/react`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Comment, Converter, ReflectionKind } from 'typedoc';

const ROOT = dirname(fileURLToPath(import.meta.url));
const SOURCE_CONDITION = '@ferry/source';

/** Every public entry point: its import specifier, source file and package description. */
function publicEntryPoints() {
  const packagesDir = join(ROOT, 'packages');
  return readdirSync(packagesDir).flatMap((dir) => {
    const manifestPath = join(packagesDir, dir, 'package.json');
    if (!existsSync(manifestPath)) return [];
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.private) return [];
    return Object.entries(manifest.exports ?? {}).flatMap(([subpath, target]) => {
      const source = typeof target === 'object' ? target?.[SOURCE_CONDITION] : undefined;
      if (typeof source !== 'string' || subpath.split('/').includes('internal')) return [];
      return [
        {
          specifier: subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`,
          file: resolve(packagesDir, dir, source),
          description: subpath === '.' ? manifest.description : undefined,
        },
      ];
    });
  });
}

const ENTRY_POINTS = publicEntryPoints();

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const module of context.project.getChildrenByKind(ReflectionKind.Module)) {
      const file = module.sources?.[0]?.fullFileName;
      const entry = ENTRY_POINTS.find((candidate) => candidate.file === file);
      if (!entry) throw new Error(`typedoc.config.mjs: no package export points at ${file}`);
      module.name = entry.specifier;
      // The package's one-line description heads its page unless the entry file has its own.
      if (entry.description && !module.comment) {
        module.comment = new Comment([{ kind: 'text', text: entry.description }]);
      }
    }
  });
}

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  name: 'Ferry',
  entryPoints: ENTRY_POINTS.map((entry) => relative(ROOT, entry.file)),
  tsconfig: './tsconfig.typedoc.json',
  // `npm run typecheck` owns type errors; the reference only reads the declarations.
  skipErrorChecking: true,
  plugin: ['./typedoc.config.mjs'],
  out: 'docs/api',
  readme: 'none',
  // A warning is a hole in the reference (a type it cannot show, a broken link): fail.
  treatWarningsAsErrors: true,
  // notDocumented stays off for now: some 500 members, mostly fields of wire types and
  // options, have no comment of their own yet (it would also need packagesRequiringDocumentation
  // to name the six packages, since TypeDoc only checks the root package by default).
  validation: { notExported: true, invalidLink: true, rewrittenLink: true, notDocumented: false },
  // Source links need no git remote (a fresh clone or a CI checkout may have none).
  sourceLinkTemplate: 'https://github.com/ferry-sync/ferry/blob/{gitRevision}/{path}#L{line}',
};
