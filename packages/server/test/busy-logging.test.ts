/**
 * Regression: a push refused because the commit queue was full was logged as an error with
 * a stack trace, as if it were a bug. It is load: logged as a warning, without a stack,
 * while a real fault stays an error.
 */
import { describe, expect, it } from 'vitest';
import type { Logger } from '../src/index.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { holdableKind, queuedMutations } from './support/holdable-database.ts';
import { startServer } from './support/server.ts';

const put = (id: number, key: string) => ({
  id,
  space: 'u',
  collection: 'items',
  key,
  op: 'put',
  value: { key },
});

function recordingLogger() {
  const logs: { level: string; fields: Record<string, unknown>; message: unknown }[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message?: unknown) =>
    logs.push({ level, fields, message });
  const logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  } as unknown as Logger;
  return { logger, logs };
}

describe('a push refused by a full queue', () => {
  it('is logged as a warning without a stack, not as an error', async () => {
    const { holdable, control } = holdableKind(DATABASE_KINDS.at(-1)!);
    const { logger, logs } = recordingLogger();
    const server = await startServer(holdable, { logger, limits: { maxQueuedMutations: 1 } });
    try {
      const token = await server.token('u');
      const holding = control.hold();
      const first = server.post('/v1/push', { clientId: 'c1', mutations: [put(1, 'a')] }, token);
      await holding;
      const second = server.post('/v1/push', { clientId: 'c2', mutations: [put(1, 'b')] }, token);
      await expect.poll(() => queuedMutations(server.url)).toBe(1);
      const refused = await server.post(
        '/v1/push',
        { clientId: 'c3', mutations: [put(1, 'c')] },
        token,
      );
      expect(refused.status).toBe(503);
      control.release();
      expect((await first).status).toBe(200);
      expect((await second).status).toBe(200);

      expect(logs.filter((l) => l.level === 'error')).toEqual([]);
      const warnings = logs.filter((l) => l.level === 'warn');
      expect(warnings).toEqual([
        {
          level: 'warn',
          fields: expect.objectContaining({ code: 'unavailable', path: '/v1/push' }),
          message: 'request refused: server busy',
        },
      ]);
      expect(warnings[0]!.fields).not.toHaveProperty('err');
      expect(JSON.stringify(warnings[0]!.fields)).not.toMatch(/\n\s+at /);
    } finally {
      control.release();
      await server.stop();
    }
  });
});
