import { createClient, createMemoryStore } from '@ferry/client';
import { describe, expect, it } from 'vitest';
import { startFastifyExample } from '../fastify/server.ts';

describe('Fastify app', () => {
  it('hands /sync to Ferry before body parsing and keeps its own routes', async () => {
    const app = await startFastifyExample();
    try {
      expect(await (await fetch(app.url)).text()).toMatch(/Fastify app/);
      const token = await app.token('ann');
      const writer = createClient<{ notes: { n: number } }>({
        url: app.syncUrl,
        store: createMemoryStore(),
        getToken: () => token,
        defaultSpace: 'ann',
        live: true,
      });
      const reader = createClient<{ notes: { n: number } }>({
        url: app.syncUrl,
        store: createMemoryStore(),
        getToken: () => token,
        defaultSpace: 'ann',
        live: true,
      });
      await expect.poll(() => reader.getStatus().live, { timeout: 10_000 }).toBe('open');
      await writer.collection('notes').put('a', { n: 1 });
      await writer.sync();
      // The event stream also runs through Fastify: the reader is poked and pulls.
      await expect
        .poll(() => reader.collection('notes').get('a'), { timeout: 10_000 })
        .toEqual({ n: 1 });
      await Promise.all([writer.close(), reader.close()]);
    } finally {
      await app.close();
    }
  });
});
