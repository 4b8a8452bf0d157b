/**
 * The deterministic simulation: for each seed, three devices of two users run real clients
 * against one real server on PGlite through a simulated network that loses, duplicates,
 * delays and reorders requests, while processes crash and restart and clocks jump. After
 * healing, every invariant is checked. A failing seed replays with `SEED=<n> npm run soak`.
 */
import { createFerryServer, createLogger, createPGliteDatabase } from '@ferry/server';
import { runScenario } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

describe('deterministic simulation', () => {
  let server: Awaited<ReturnType<typeof createFerryServer>>;
  beforeAll(async () => {
    server = await createFerryServer({
      database: await createPGliteDatabase(),
      jwtSecret: 'simulation-secret-that-is-long-enough!',
      logger: createLogger('silent'),
    });
  });
  afterAll(() => server.close());

  it.each(SEEDS)(
    'seed %i: nothing lost, nothing applied twice, every device converges',
    async (seed) => {
      const report = await runScenario({ seed, server });
      if (report.violations.length > 0) {
        console.log(`seed ${seed} failed:\n${report.trace.join('\n')}`);
      }
      expect(report.violations).toEqual([]);
    },
  );
});
