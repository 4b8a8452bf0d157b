// The environment suite against the simulated environment and the client's basic one.
import { createBasicEnvironment } from '@ferry/client';
import { createSimulation, runEnvironmentAcceptanceTests } from '@ferry/testing';

runEnvironmentAcceptanceTests('simulation', async () => {
  const sim = createSimulation();
  return {
    environment: sim.environment,
    advance: (ms) => sim.advance(ms),
    async setOnline(online) {
      if (online) sim.goOnline();
      else sim.goOffline();
    },
  };
});

// Real timers: this is the environment a client gets when given none.
runEnvironmentAcceptanceTests('basic (global clock and timers)', async () => ({
  environment: createBasicEnvironment({
    now: () => Date.now(),
    random: () => Math.random(),
    setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  }),
}));
