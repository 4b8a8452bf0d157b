import { createClient, createMemoryStore } from '@ferry/client';
import { describe, expect, it } from 'vitest';
import { startJwksExample } from '../jwks-issuer/server.ts';

describe('an external identity provider with a JWKS', () => {
  it('accepts its tokens across a key rotation and refuses tokens for another audience', async () => {
    const app = await startJwksExample();
    try {
      let token = await app.issuer.token('ann', ['ann']);
      const client = createClient<{ docs: { v: number } }>({
        url: app.syncUrl,
        store: createMemoryStore(),
        getToken: () => token,
        defaultSpace: 'ann',
      });
      await client.collection('docs').put('d', { v: 1 });
      await client.sync();
      expect(client.getStatus()).toMatchObject({ pendingCount: 0, lastError: null });

      await app.issuer.rotate();
      token = await app.issuer.token('ann', ['ann']);
      // The next fetch of the key set happens once the cooldown has passed.
      await new Promise((r) => setTimeout(r, 1100));
      await client.collection('docs').put('d', { v: 2 });
      await client.sync();
      expect(client.getStatus()).toMatchObject({ pendingCount: 0, lastError: null });

      const wrongAudience = await fetch(`${app.syncUrl}/v1/pull`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token.replace(/\.[^.]+\./, '.e30.')}`,
        },
        body: '{"clientId":"x","cursor":null}',
      });
      expect(wrongAudience.status).toBe(401);
      await client.close();
    } finally {
      await app.close();
    }
  });
});
