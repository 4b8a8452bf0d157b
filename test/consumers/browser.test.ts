/**
 * Ferry from its published tarballs in a fresh Vite + React app outside the repository:
 * the app type-checks against the browser declarations, `vite build` bundles it, and the
 * built page, served beside a Ferry server, syncs a write both ways in Chromium.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, createMemoryStore } from '@ferry/client';
import {
  createFerryServer,
  createLogger,
  createPGliteDatabase,
  type FerryServer,
  type Listening,
  listen,
} from '@ferry/server';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/chromium.ts';
import { type Consumer, createConsumer } from './support/consumer.ts';
import { developmentPackages, ferryLinkLeaks } from './support/installed-tree.ts';
import { runChecked, runCommand } from './support/npm.ts';
import { packPackages } from './support/packages.ts';

describe('a Vite and React app that installs Ferry from npm', () => {
  const packs = mkdtempSync(join(tmpdir(), 'ferry-packs-browser-'));
  let consumer: Consumer;

  beforeAll(async () => {
    const packed = await packPackages(
      ['@ferry/protocol', '@ferry/client', '@ferry/browser'],
      packs,
    );
    consumer = await createConsumer({
      fixture: 'browser',
      ferry: [...packed.values()],
      registry: ['vite', 'react', 'react-dom', 'typescript', '@types/react', '@types/react-dom'],
    });
  }, 600_000);

  afterAll(() => {
    consumer?.remove();
    rmSync(packs, { recursive: true, force: true });
  });

  it('holds only real folders from the tarballs, and no test tools or benchmark peers', () => {
    expect(ferryLinkLeaks(consumer.dir)).toEqual([]);
    expect(developmentPackages(consumer.dir)).toEqual([]);
  });

  it('type-checks the app against the browser and React declarations', async () => {
    const result = await runCommand('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: consumer.dir });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.code).toBe(0);
  }, 120_000);

  describe('built with vite and opened in Chromium', () => {
    let server: FerryServer;
    let listening: Listening;
    let closeDatabase: () => Promise<void>;
    let browser: Browser;

    beforeAll(async () => {
      await runChecked('npx', ['vite', 'build'], { cwd: consumer.dir });
      const database = await createPGliteDatabase();
      closeDatabase = () => database.close();
      server = await createFerryServer({
        database,
        jwtSecret: randomBytes(32).toString('base64url'),
        dev: true,
        webPush: false,
        staticDir: join(consumer.dir, 'dist'),
        logger: createLogger('warn'),
      });
      listening = await listen(server, { port: 0, hostname: '127.0.0.1' });
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        args: CHROMIUM_ARGS,
        headless: true,
      });
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      await listening?.close();
      await closeDatabase?.();
    });

    it('pushes a write made in the page and shows one made on the server', async () => {
      const page = await browser.newPage();
      await page.goto(listening.url);
      await page.waitForSelector('body[data-synced], body[data-error]');
      expect(await page.getAttribute('body', 'data-error')).toBeNull();
      expect(await page.getAttribute('body', 'data-synced')).toBe('true');

      // The page's write is on the server: another client of alice's pulls it.
      const store = createMemoryStore();
      const token = await server.signToken({ userId: 'alice' }, 600);
      const other = createClient({
        url: listening.url,
        store,
        getToken: () => token,
        defaultSpace: 'alice',
      });
      await other.sync();
      expect(await other.collection('todos').get('from-page')).toEqual({
        title: 'written in the page',
      });
      await other.close();

      // A write on the server reaches the page through its live stream and the React hooks.
      await page.waitForSelector('#status[data-live="open"]');
      await server.write([
        {
          space: 'alice',
          collection: 'todos',
          key: 'from-server',
          op: 'put',
          value: { title: 'written on the server' },
        },
      ]);
      const row = await page.waitForSelector('li[data-key="from-server"]');
      expect(await row.textContent()).toBe('written on the server');
      await page.close();
    }, 120_000);
  });
});
