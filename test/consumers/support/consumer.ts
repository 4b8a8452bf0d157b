/**
 * A fresh project outside the repository, as a user makes one: a folder in the system's
 * temporary directory holding one of the fixtures, a package.json naming Ferry's tarballs
 * and public packages from the npm registry, and `npm install`.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChecked } from './npm.ts';
import type { Packed } from './packages.ts';
import { REPOSITORY } from './packages.ts';

export interface ConsumerOptions {
  /** A folder of test/consumers/fixtures copied into the project. */
  fixture: string;
  ferry: readonly Packed[];
  /** Public packages, at the version this repository has installed (npm's cache has it). */
  registry?: readonly string[];
  /** Skip install scripts (a project that only type-checks needs no native build). */
  ignoreScripts?: boolean;
}

export interface Consumer {
  dir: string;
  installMs: number;
  remove(): void;
}

/** The exact version of `name` installed in this repository. */
export function repositoryVersion(name: string): string {
  const manifest = join(REPOSITORY, 'node_modules', name, 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

export async function createConsumer(options: ConsumerOptions): Promise<Consumer> {
  const dir = mkdtempSync(join(tmpdir(), `ferry-consumer-${options.fixture}-`));
  cpSync(new URL(`../fixtures/${options.fixture}`, import.meta.url), dir, { recursive: true });
  const dependencies: Record<string, string> = {};
  for (const packed of options.ferry) dependencies[packed.name] = `file:${packed.tarball}`;
  for (const name of options.registry ?? []) dependencies[name] = repositoryVersion(name);
  const manifest = {
    name: `ferry-consumer-${options.fixture}`,
    private: true,
    type: 'module',
    dependencies,
    // npm here runs install scripts only for packages listed (see the root package.json).
    allowScripts: { 'better-sqlite3': true, esbuild: true },
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  const args = ['install', '--prefer-offline', '--no-audit', '--no-fund'];
  if (options.ignoreScripts) args.push('--ignore-scripts');
  const started = performance.now();
  await runChecked('npm', args, { cwd: dir });
  const installMs = performance.now() - started;
  return { dir, installMs, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
