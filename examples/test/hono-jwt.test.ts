import { createClient, createMemoryStore } from '@ferry/client';
import { describe, expect, it } from 'vitest';
import { startHonoExample } from '../hono-jwt/server.ts';

describe('Hono app issuing its own tokens', () => {
  it('two users converge through Ferry mounted at /api/sync', async () => {
    const app = await startHonoExample();
    try {
      const login = async (user: string) =>
        (
          await (
            await fetch(`${app.url}/api/login`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ user }),
            })
          ).json()
        ).token as string;
      const open = async (user: string) => {
        const token = await login(user);
        return createClient<{ messages: { from: string } }>({
          url: app.syncUrl,
          store: createMemoryStore(),
          getToken: () => token,
          defaultSpace: 'lobby',
        });
      };
      const [ann, bob] = await Promise.all([open('ann'), open('bob')]);
      await ann.collection('messages').put('m1', { from: 'ann' });
      await ann.sync();
      await bob.sync();
      expect(await bob.collection('messages').get('m1')).toEqual({ from: 'ann' });
      expect(
        (await fetch(`${app.url}/api/login`, { method: 'POST', body: '{"user":"NOPE"}' })).status,
      ).toBe(400);
      await Promise.all([ann.close(), bob.close()]);
    } finally {
      await app.close();
    }
  });
});
