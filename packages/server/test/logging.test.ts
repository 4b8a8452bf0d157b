import { describe, expect, it } from 'vitest';
import type { Logger } from '../src/index.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { startServer } from './support/server.ts';

describe('structured logs', () => {
  it('name the request id of a failed request, the same id the response carries', async () => {
    const errors: Record<string, unknown>[] = [];
    const logger = {
      debug() {},
      info() {},
      warn() {},
      error(fields: Record<string, unknown>) {
        errors.push(fields);
      },
    } as unknown as Logger;
    const server = await startServer(DATABASE_KINDS.at(-1)!, {
      logger,
      rules: {
        beforeWrite() {
          throw new Error('rule bug');
        },
      },
    });
    try {
      const token = await server.token('lee');
      const response = await fetch(`${server.url}/v1/push`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'x-request-id': 'req-42',
        },
        body: JSON.stringify({
          clientId: 'c-log',
          mutations: [{ id: 1, space: 'lee', collection: 'c', key: 'k', op: 'put', value: {} }],
        }),
      });
      expect(response.status).toBe(500);
      expect(response.headers.get('x-request-id')).toBe('req-42');
      expect(errors).toEqual([
        expect.objectContaining({ requestId: 'req-42', path: '/v1/push', code: 'internal' }),
      ]);
      const generated = await fetch(`${server.url}/healthz`);
      expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await server.stop();
    }
  });
});
