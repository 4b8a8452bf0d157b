import { describe, expect, it } from 'vitest';
import { createClient, createMemoryStore } from '../src/index.ts';

describe('a client without getToken', () => {
  it('sends no Authorization header, leaving credentials such as cookies to the platform', async () => {
    const seen: (string | null)[] = [];
    const client = createClient({
      url: 'https://app.test/sync',
      store: createMemoryStore(),
      fetch: async (_input, init) => {
        seen.push(new Headers(init?.headers).get('authorization'));
        return new Response(
          JSON.stringify({ changes: [], cursor: 'c', hasMore: false, lastMutationId: 0 }),
          {
            headers: { 'content-type': 'application/json' },
          },
        );
      },
    });
    await client.sync();
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((h) => h === null)).toBe(true);
    await client.close();
  });
});
