/**
 * Regression: `ferry.write` called again as soon as the previous call resolved (an import
 * loop in a cron job) hung for ever. The finished group-commit drain still looked busy to
 * a request submitted from the answer's own continuation, so nothing ever committed it.
 */
import { createFerryServer } from '@ferry/server';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from './support/databases.ts';

describe.each(DATABASE_KINDS)('server writes back to back ($name)', (kind) => {
  it('commits each write submitted the moment the previous one resolved', async () => {
    const { database, dispose } = await kind.create();
    const server = await createFerryServer({
      database,
      jwtSecret: 'back-to-back-writes-secret-long-enough',
      logger: pino({ level: 'silent' }),
    });
    try {
      const versions: number[] = [];
      for (let i = 0; i < 20; i++) {
        const [result] = await server.write([
          { space: 's', collection: 'c', key: `k${i}`, op: 'put', value: { i } },
        ]);
        if (result?.status !== 'applied') throw new Error(`write ${i} was not applied`);
        versions.push(result.version);
      }
      expect(versions).toHaveLength(20);
      expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    } finally {
      await server.close();
      await dispose();
    }
  });
});
