import { createClient, createMemoryStore } from '@ferry/client';
import { describe, expect, it } from 'vitest';
import { startExpressExample } from '../express-sessions/server.ts';

describe('Express app with session cookies', () => {
  it('serves its own routes and Ferry under /sync, authenticated by the session cookie', async () => {
    const app = await startExpressExample();
    try {
      expect(await (await fetch(app.url)).text()).toMatch(/Express app/);
      const login = await fetch(`${app.url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"user":"ann"}',
      });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      // The session cookie rides along on every request, as a browser would send it.
      const withCookie: typeof fetch = (input, init) =>
        fetch(input, {
          ...init,
          headers: { ...Object.fromEntries(new Headers(init?.headers)), cookie },
        });
      const client = createClient<{ notes: { text: string } }>({
        url: app.syncUrl,
        store: createMemoryStore(),
        fetch: withCookie,
        defaultSpace: 'ann',
      });
      await client.collection('notes').put('n1', { text: 'hello from express' });
      await client.collection('notes', { space: 'everyone' }).put('hi', { text: 'shared' });
      // The writes go out at once on their own; sync() returns once they are sent.
      expect(await client.sync()).toMatchObject({ rejected: 0 });
      expect(client.getStatus()).toMatchObject({ pendingCount: 0, lastError: null });

      const anonymous = await fetch(`${app.syncUrl}/v1/pull`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"clientId":"x","cursor":null}',
      });
      expect(anonymous.status).toBe(401);
      await client.close();
    } finally {
      await app.close();
    }
  });
});
