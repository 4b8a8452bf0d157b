/**
 * Ferry's published declarations under the strictest settings a Node TypeScript project
 * commonly has (fixtures/typescript/tsconfig.json: strict, NodeNext,
 * exactOptionalPropertyTypes, noUncheckedIndexedAccess, lib ES2022 without DOM, and
 * skipLibCheck off so every .d.ts Ferry ships is checked, not only what the program uses).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Consumer, createConsumer } from './support/consumer.ts';
import { developmentPackages, ferryLinkLeaks } from './support/installed-tree.ts';
import { runCommand } from './support/npm.ts';
import { packPackages } from './support/packages.ts';

describe('a strict TypeScript project that installs Ferry from npm', () => {
  const packs = mkdtempSync(join(tmpdir(), 'ferry-packs-typescript-'));
  let consumer: Consumer;

  beforeAll(async () => {
    const packed = await packPackages(
      [
        '@ferry/protocol',
        '@ferry/client',
        '@ferry/testing',
        '@ferry/server',
        '@ferry/sqlite',
        '@ferry/node',
        '@ferry/react-native',
      ],
      packs,
    );
    consumer = await createConsumer({
      fixture: 'typescript',
      ferry: [...packed.values()],
      registry: ['typescript', '@types/node'],
      // Type-checking needs no native build of better-sqlite3.
      ignoreScripts: true,
    });
  }, 600_000);

  afterAll(() => {
    consumer?.remove();
    rmSync(packs, { recursive: true, force: true });
  });

  it('type-checks a program using the client, server, Node, phone and testing packages', async () => {
    const result = await runCommand('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: consumer.dir });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.code).toBe(0);
  }, 120_000);

  it('holds only real folders from the tarballs, and Vitest only as the testing package’s peer', () => {
    expect(ferryLinkLeaks(consumer.dir)).toEqual([]);
    // @ferry/testing's acceptance suites are Vitest suites: it names vitest as a peer.
    expect(developmentPackages(consumer.dir, /^(vitest|@vitest\/.*)$/)).toEqual([]);
  });
});
