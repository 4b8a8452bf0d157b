/**
 * Sync without being asked, end to end: a Node client on a SQLite file, with the Node
 * environment, pushes its local writes and picks up another device's by itself, and its
 * run history says why each run happened. Real time and a real server: the point is the
 * whole stack running on its own; the waits only bound a hang.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, createMemoryStore } from '@ferry/client';
import { createNodeEnvironment, openSqliteStore } from '@ferry/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '../packages/server/test/support/databases.ts';
import { type RunningServer, startServer } from '../packages/server/test/support/server.ts';

const dir = mkdtempSync(join(tmpdir(), 'ferry-background-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(DATABASE_KINDS)('background sync on $name', (kind) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(kind);
  });
  afterAll(() => server.stop());

  it('pushes local writes and pulls remote ones with no sync() call', async () => {
    const token = await server.token('dana', ['dana']);
    const store = openSqliteStore(join(dir, `${kind.name}.db`));
    const laptop = createClient<{ notes: { text: string } }>({
      url: server.url,
      store,
      getToken: () => token,
      defaultSpace: 'dana',
      live: true,
      environment: createNodeEnvironment(),
      schedule: { localChangeDelayMs: 20 },
    });
    const phone = createClient<{ notes: { text: string } }>({
      url: server.url,
      store: createMemoryStore(),
      getToken: () => token,
      defaultSpace: 'dana',
      live: true,
      schedule: { localChangeDelayMs: 20 },
    });
    try {
      await expect.poll(() => laptop.getStatus().live, { timeout: 10_000 }).toBe('open');
      await expect.poll(() => phone.getStatus().live, { timeout: 10_000 }).toBe('open');
      await laptop.collection('notes').put('n1', { text: 'from the laptop' });
      await expect
        .poll(() => phone.collection('notes').get('n1'), { timeout: 10_000 })
        .toEqual({ text: 'from the laptop' });
      await phone.collection('notes').put('n2', { text: 'from the phone' });
      await expect
        .poll(() => laptop.collection('notes').get('n2'), { timeout: 10_000 })
        .toEqual({ text: 'from the phone' });
      await expect.poll(() => laptop.getStatus().pendingCount, { timeout: 10_000 }).toBe(0);

      // Which automatic trigger carried the write depends on timing (a poke run may take it
      // before the debounce ends); that no run was asked for does not.
      const runs = await laptop.history();
      const triggers = runs.flatMap((run) => run.triggers);
      expect(triggers).toContain('start');
      expect(triggers).toContain('poke');
      expect(triggers).not.toContain('manual');
      expect(runs.reduce((sum, run) => sum + run.pushed, 0)).toBe(1);
      expect(
        runs.filter((run) => run.outcome !== 'running').every((run) => run.outcome === 'success'),
      ).toBe(true);
      expect(laptop.capabilities().triggers).toMatchObject({ online: true, visible: false });
    } finally {
      await Promise.all([laptop.close(), phone.close()]);
      await store.close();
    }
  });
});
