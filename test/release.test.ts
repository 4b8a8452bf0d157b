/**
 * What a release needs: every published package carries what npm and its users need, the
 * internal version ranges point at the workspaces' own versions, and changesets, run on a
 * copy of the manifests, versions the eight packages together and keeps every range in step.
 */
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import semver from 'semver';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type Manifest,
  publishedWorkspaces,
  ROOT,
  readManifest,
  type Workspace,
  workspaces,
} from './support/workspaces.ts';

interface ChangesetConfig {
  fixed: string[][];
  linked: string[][];
  ignore: string[];
  access: string;
  baseBranch: string;
  updateInternalDependencies: string;
}

const CONFIG = JSON.parse(
  readFileSync(join(ROOT, '.changeset/config.json'), 'utf8'),
) as ChangesetConfig;

/** Every `@ferry/*` dependency range of a manifest, with the field it is in. */
function internalRanges(manifest: Manifest): { field: string; name: string; range: string }[] {
  const fields = ['dependencies', 'devDependencies', 'peerDependencies'] as const;
  return fields.flatMap((field) =>
    Object.entries(manifest[field] ?? {})
      .filter(([name]) => name.startsWith('@ferry/'))
      .map(([name, range]) => ({ field, name, range })),
  );
}

/** The ranges no workspace version satisfies, as readable lines (none when all is well). */
function unsatisfiedRanges(all: Workspace[]): string[] {
  const versions = new Map(all.map(({ manifest }) => [manifest.name, manifest.version]));
  return all.flatMap(({ manifest }) =>
    internalRanges(manifest).flatMap(({ field, name, range }) => {
      const version = versions.get(name);
      if (version !== undefined && semver.satisfies(version, range)) return [];
      return [`${manifest.name} ${field} ${name}@${range}, workspace has ${version ?? 'none'}`];
    }),
  );
}

describe('published packages', () => {
  const published = publishedWorkspaces();

  it('are the eight packages', () => {
    expect(published.map((workspace) => workspace.manifest.name).sort()).toEqual([
      '@ferry/browser',
      '@ferry/client',
      '@ferry/node',
      '@ferry/protocol',
      '@ferry/react-native',
      '@ferry/server',
      '@ferry/sqlite',
      '@ferry/testing',
    ]);
  });

  for (const { dir, manifest } of published) {
    describe(manifest.name, () => {
      it('ships a README, a CHANGELOG and the LICENSE, and lists them in files', () => {
        for (const file of ['README.md', 'CHANGELOG.md', 'LICENSE']) {
          expect(existsSync(join(ROOT, dir, file)), `${dir}/${file}`).toBe(true);
          expect(manifest.files).toContain(file);
        }
        expect(manifest.files).toContain('dist');
      });

      it('has a changelog entry for its current version', () => {
        const changelog = readFileSync(join(ROOT, dir, 'CHANGELOG.md'), 'utf8');
        expect(changelog.startsWith(`# ${manifest.name}\n`)).toBe(true);
        expect(changelog).toContain(`\n## ${manifest.version}\n`);
      });

      it('names its licence, repository folder and Node engine', () => {
        expect(manifest.license).toBe('MIT');
        expect(manifest.repository?.url).toMatch(/^git\+https:\/\/github\.com\/.+\.git$/);
        expect(manifest.repository?.directory).toBe(dir);
        expect(semver.validRange(manifest.engines?.node ?? '')).not.toBeNull();
      });

      it('gives every entry point its types, before import and default', () => {
        const entries = Object.entries(manifest.exports ?? {}).filter(
          ([subpath]) => subpath !== './package.json',
        );
        expect(entries.length).toBeGreaterThan(0);
        for (const [subpath, target] of entries) {
          expect(typeof target, subpath).toBe('object');
          const conditions = Object.keys(target);
          expect(conditions, subpath).toContain('types');
          expect(conditions.indexOf('types'), subpath).toBeLessThan(conditions.indexOf('import'));
          expect((target as Record<string, string>).types, subpath).toMatch(
            /^\.\/dist\/.+\.d\.ts$/,
          );
        }
      });
    });
  }
});

describe('internal dependencies', () => {
  it('each @ferry/* range is satisfied by the workspace version of that package', () => {
    expect(unsatisfiedRanges(workspaces())).toEqual([]);
  });

  it('the check sees a range the workspace does not satisfy', () => {
    const all = workspaces();
    const bumped = all.map((workspace) =>
      workspace.manifest.name === '@ferry/protocol'
        ? { ...workspace, manifest: { ...workspace.manifest, version: '9.0.0' } }
        : workspace,
    );
    const range = readManifest(join(ROOT, 'packages/client')).dependencies?.['@ferry/protocol'];
    expect(unsatisfiedRanges(bumped)).toContain(
      `@ferry/client dependencies @ferry/protocol@${range}, workspace has 9.0.0`,
    );
  });
});

describe('changesets configuration', () => {
  it('versions the published packages as one fixed group and ignores the private ones', () => {
    const published = publishedWorkspaces().map((workspace) => workspace.manifest.name);
    const privateOnes = workspaces()
      .filter((workspace) => workspace.manifest.private)
      .map((workspace) => workspace.manifest.name);
    expect(CONFIG.fixed.map((group) => [...group].sort())).toEqual([[...published].sort()]);
    expect(CONFIG.linked).toEqual([]);
    expect([...CONFIG.ignore].sort()).toEqual([...privateOnes].sort());
    expect(CONFIG).toMatchObject({
      access: 'public',
      baseBranch: 'main',
      updateInternalDependencies: 'patch',
    });
  });

  it('pending changesets name only published packages, each with a patch, minor or major', () => {
    const published = new Set(publishedWorkspaces().map((workspace) => workspace.manifest.name));
    const dir = join(ROOT, '.changeset');
    const problems = readdirSync(dir)
      .filter((file) => file.endsWith('.md') && file !== 'README.md')
      .flatMap((file) => {
        const frontmatter = /^---\n([\s\S]*?)\n---\n/.exec(readFileSync(join(dir, file), 'utf8'));
        if (!frontmatter?.[1]) return [`${file}: no frontmatter`];
        return frontmatter[1].split('\n').flatMap((line) => {
          const entry = /^['"]?(@ferry\/[a-z-]+)['"]?:\s*(patch|minor|major)$/.exec(line.trim());
          if (!entry?.[1]) return [`${file}: "${line}" is not '<package>': patch|minor|major`];
          return published.has(entry[1]) ? [] : [`${file}: ${entry[1]} is not published`];
        });
      });
    expect(problems).toEqual([]);
  });

  describe('changeset version, on a copy of the manifests', () => {
    const copy = mkdtempSync(join(tmpdir(), 'ferry-release-'));
    afterAll(() => rmSync(copy, { recursive: true, force: true }));

    it('moves all eight packages to the new version and every internal range with them', () => {
      cpSync(join(ROOT, 'package.json'), join(copy, 'package.json'));
      mkdirSync(join(copy, '.changeset'));
      cpSync(join(ROOT, '.changeset/config.json'), join(copy, '.changeset/config.json'));
      for (const { dir } of workspaces()) {
        mkdirSync(join(copy, dir), { recursive: true });
        cpSync(join(ROOT, dir, 'package.json'), join(copy, dir, 'package.json'));
        const changelog = join(ROOT, dir, 'CHANGELOG.md');
        if (existsSync(changelog)) cpSync(changelog, join(copy, dir, 'CHANGELOG.md'));
      }
      // The config names its changelog generator by package; it resolves from node_modules.
      symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
      // A minor change of the protocol alone: on 0.x, ^0.1.0 does not accept 0.2.0.
      writeFileSync(
        join(copy, '.changeset/protocol-change.md'),
        "---\n'@ferry/protocol': minor\n---\n\nA change to the protocol.\n",
      );
      const git = (...args: string[]) => execFileSync('git', args, { cwd: copy, stdio: 'pipe' });
      git('init', '--quiet', '--initial-branch=main');
      git('add', '.');
      git('-c', 'user.name=Release test', '-c', 'user.email=release@test', 'commit', '-qm', 'copy');

      const cli = createRequire(import.meta.url).resolve('@changesets/cli/bin.js');
      execFileSync(process.execPath, [cli, 'version'], { cwd: copy, stdio: 'pipe' });

      const after = workspaces(copy);
      const next = semver.inc(readManifest(join(ROOT, 'packages/protocol')).version, 'minor');
      for (const { dir, manifest } of after) {
        const before = readManifest(join(ROOT, dir)).version;
        expect(manifest.version, manifest.name).toBe(manifest.private ? before : next);
        if (manifest.private) continue;
        const changelog = readFileSync(join(copy, dir, 'CHANGELOG.md'), 'utf8');
        expect(changelog.indexOf(`## ${next}`), manifest.name).toBeGreaterThan(0);
        expect(changelog.indexOf(`## ${next}`)).toBeLessThan(changelog.indexOf(`## ${before}`));
      }
      expect(unsatisfiedRanges(after)).toEqual([]);
      expect(existsSync(join(copy, '.changeset/protocol-change.md'))).toBe(false);
    });
  });
});
