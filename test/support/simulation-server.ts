/** The real server the deterministic simulation runs against, shared by its test and its soak. */
import { createFerryServer, createLogger, createPGliteDatabase } from '@ferry/server';
import type { ScenarioServer } from '@ferry/testing';

/** A server that `restart()` closes and creates again over the same PGlite database. */
export async function restartableServer(): Promise<ScenarioServer & { close(): Promise<void> }> {
  const options = {
    database: await createPGliteDatabase(),
    jwtSecret: 'simulation-secret-that-is-long-enough!',
    logger: createLogger('silent'),
    // Heartbeats run on real time; in simulated time they would make runs differ. Clients
    // presume a silent stream dead after a minute of simulated time and reconnect.
    heartbeatMs: 3_600_000,
  };
  let current = await createFerryServer(options);
  return {
    fetch: (request) => current.fetch(request),
    signToken: (principal, ttlSeconds) => current.signToken(principal, ttlSeconds),
    async restart() {
      await current.close();
      current = await createFerryServer(options);
    },
    close: () => current.close(),
  };
}
