/**
 * Ferry from its published tarballs in a fresh Node project outside the repository: a
 * plain ESM program (no TypeScript tooling) runs an embedded server and SQLite clients,
 * a CommonJS file requires the client, and the `ferry` and `ferry-agent` commands run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Consumer, createConsumer } from './support/consumer.ts';
import {
  developmentPackages,
  ferryLinkLeaks,
  ferryPackages,
  ferrySources,
} from './support/installed-tree.ts';
import { startCommand } from './support/long-running.ts';
import { runChecked } from './support/npm.ts';
import { packPackages } from './support/packages.ts';

// @ferry/sqlite comes as @ferry/node's dependency: its SQL store.
const INSTALLED = [
  '@ferry/client',
  '@ferry/node',
  '@ferry/protocol',
  '@ferry/server',
  '@ferry/sqlite',
] as const;

describe('a Node project that installs Ferry from npm', () => {
  const packs = mkdtempSync(join(tmpdir(), 'ferry-packs-node-'));
  let consumer: Consumer;

  beforeAll(async () => {
    const packed = await packPackages(INSTALLED, packs);
    // jose: the app signs its users' tokens itself, as an app's backend does.
    consumer = await createConsumer({
      fixture: 'node',
      ferry: [...packed.values()],
      registry: ['jose'],
    });
    // Most of this is better-sqlite3 compiling SQLite from source (no prebuilt binary here).
    console.log(`Node consumer installed in ${(consumer.installMs / 1000).toFixed(1)} s`);
  }, 900_000);

  afterAll(() => {
    consumer?.remove();
    rmSync(packs, { recursive: true, force: true });
  });

  it('holds each Ferry package as a real folder of its own, unpacked from the tarballs', () => {
    expect(ferryPackages(consumer.dir)).toEqual([...INSTALLED]);
    expect(ferryLinkLeaks(consumer.dir)).toEqual([]);
    const sources = Object.values(ferrySources(consumer.dir));
    expect(sources).toHaveLength(INSTALLED.length);
    for (const source of sources) expect(source).toMatch(/^file:.*\.tgz$/);
  });

  it("receives none of the repository's test tools or benchmark peers", () => {
    expect(developmentPackages(consumer.dir)).toEqual([]);
  });

  it('syncs a write between two SQLite clients through an embedded server, in plain ESM', async () => {
    const { stdout } = await runChecked('node', ['app.mjs'], { cwd: consumer.dir });
    const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
    expect(report.synced).toEqual({ title: 'milk', done: false });
    expect(report.pendingAfterSync).toBe(0);
    const inside = `${pathToFileURL(consumer.dir).href}/node_modules/`;
    for (const url of Object.values(report.resolved)) expect(url).toMatch(new RegExp(`^${inside}`));
  }, 120_000);

  it('loads every Node-side package with require() from CommonJS', async () => {
    const { stdout } = await runChecked('node', ['require.cjs'], { cwd: consumer.dir });
    const report = JSON.parse(stdout.trim());
    expect(report).toEqual({
      createClient: 'function',
      openSqliteStore: 'function',
      createFerryServer: 'function',
      copyJson: 'function',
      resolved: join(consumer.dir, 'node_modules/@ferry/client/dist/index.js'),
    });
  }, 60_000);

  it('runs `npx ferry serve` until SIGTERM, answering its health check', async () => {
    const dataDir = join(consumer.dir, 'serve-data');
    const server = await startCommand(
      'npx',
      ['ferry', 'serve', '--dev', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn'],
      { cwd: consumer.dir, ready: /listening on (http:\/\/\S+)/, timeoutMs: 60_000 },
    );
    try {
      const health = await fetch(`${server.ready[1]}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
    } finally {
      await server.stop('SIGTERM');
    }
    expect(server.output()).toMatch(/embedded PGlite in .*serve-data/);
    expect(server.output()).toContain('Received SIGTERM; finishing requests in flight');
    expect(server.output()).not.toMatch(/^ferry: /m);
  }, 120_000);

  it('prints the usage of `npx ferry-agent --help`', async () => {
    const { stdout } = await runChecked('npx', ['ferry-agent', '--help'], { cwd: consumer.dir });
    expect(stdout).toMatch(/^Usage: ferry-agent --url <server> --db <file>/);
    expect(stdout).toContain('--token-file');
  }, 60_000);
});
