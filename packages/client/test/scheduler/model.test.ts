/**
 * Model-based test of the scheduler: random sequences of triggers, manual syncs, scripted
 * run outcomes (success, network failure, 429/503 with Retry-After, 401/400/403, a server
 * that does not speak the protocol, runs longer than the budget), network, metered-network,
 * battery and visibility changes, local writes (pushed at once or after a quiet period),
 * pokes the client already holds, the server found reachable again (the live stream
 * opening), and restarts, all in simulated time. The
 * checks of `SchedulerModel` run as things happen; at the end, with the conditions
 * restored, the scheduler must sync successfully on its own (or, from the error state,
 * after a local write).
 */
import { createSimulation } from '@ferry/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MODEL_SCHEDULE,
  type Outcome,
  SchedulerModel,
  type ScriptedRun,
} from '../support/scheduler-model.ts';

type Real = { model: SchedulerModel };
type Cmd = fc.AsyncCommand<object, Real>;

function command(name: string, run: (model: SchedulerModel) => Promise<void> | void): Cmd {
  return {
    check: () => true,
    async run(_m, real) {
      await run(real.model);
      await real.model.sim.settle();
      real.model.checkQuiet();
    },
    toString: () => name,
  };
}

const outcome: fc.Arbitrary<Outcome> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'success' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'network' as const }) },
  fc.record({
    kind: fc.constant('http' as const),
    status: fc.constantFrom(429 as const, 503 as const, 500 as const),
    retryAfterSeconds: fc.option(fc.integer({ min: 1, max: 10 }), { nil: null }),
  }),
  fc.record({
    kind: fc.constant('fatal' as const),
    status: fc.constantFrom(400 as const, 401 as const, 403 as const),
  }),
  fc.constant({ kind: 'protocol' as const }),
);

const scripted: fc.Arbitrary<ScriptedRun> = fc.record({
  durationMs: fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 4_000, max: 8_000 })),
  outcome,
  progress: fc.boolean(),
});

const commands: fc.Arbitrary<Cmd>[] = [
  fc
    .integer({ min: 0, max: 15_000 })
    .map((ms) => command(`advance(${ms})`, (m) => m.sim.advance(ms))),
  fc
    .boolean()
    .map((on) =>
      command(`online(${on})`, (m) =>
        m.setConditions(() => (on ? m.sim.goOnline() : m.sim.goOffline())),
      ),
    ),
  fc
    .boolean()
    .map((v) => command(`metered(${v})`, (m) => m.setConditions(() => m.sim.setMetered(v)))),
  fc
    .boolean()
    .map((v) => command(`lowBattery(${v})`, (m) => m.setConditions(() => m.sim.setLowBattery(v)))),
  fc.boolean().map((v) => command(`visible(${v})`, (m) => (v ? m.sim.show() : m.sim.hide()))),
  fc
    .constantFrom('poke' as const, 'local-change' as const)
    .map((t) => command(t, (m) => m.h.scheduler.trigger(t))),
  fc.boolean().map((v) =>
    command(`pending(${v})`, (m) => {
      m.h.pending.value = v;
    }),
  ),
  fc.boolean().map((v) => command(`pokeWanted(${v})`, (m) => m.setPokeWanted(v))),
  fc.constant(command('manual', (m) => m.manual())),
  fc.constant(command('serverReachable', (m) => m.serverReachable())),
  scripted.map((s) => command(`script(${JSON.stringify(s)})`, (m) => void m.script.push(s))),
  fc.constant(command('restart', (m) => m.restart())),
];

describe('scheduler model', () => {
  it('keeps its promises under random triggers, failures, conditions and restarts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          requireUnmetered: fc.boolean(),
          requireBatteryNotLow: fc.boolean(),
          // The default (a write runs at once) and a quiet-period delay.
          localChangeDelayMs: fc.constantFrom(0, MODEL_SCHEDULE.localChangeDelayMs),
          seed: fc.nat(),
        }),
        fc.commands(commands, { maxCommands: 80, size: 'medium' }),
        async (params, cmds) => {
          const sim = createSimulation({ seed: params.seed, settleTurns: 6 });
          const model = new SchedulerModel(sim, {
            ...MODEL_SCHEDULE,
            requireUnmetered: params.requireUnmetered,
            requireBatteryNotLow: params.requireBatteryNotLow,
            localChangeDelayMs: params.localChangeDelayMs,
          });
          await model.h.scheduler.start();
          await sim.settle();
          await fc.asyncModelRun(() => ({ model: {}, real: { model } }), cmds);
          expect(model.violations).toEqual([]);

          // Conditions allow, every run succeeds from now on: a success must follow.
          model.script.length = 0;
          model.setConditions(() => {
            sim.goOnline();
            sim.setMetered(false);
            sim.setLowBattery(false);
          });
          const before = model.h.ended.length;
          const succeeded = () => model.h.ended.slice(before).some((r) => r.outcome === 'success');
          const boundMs =
            MODEL_SCHEDULE.maxRunDurationMs * 2 +
            MODEL_SCHEDULE.backoffMaxDelayMs +
            10_000 +
            MODEL_SCHEDULE.minIntervalMs;
          const inError = () => model.h.scheduler.status().state === 'error';
          await sim.advanceUntil(() => succeeded() || inError(), boundMs);
          if (!succeeded() && inError()) {
            // The error state waits for a reason to try again: a local write is one.
            model.h.pending.value = true;
            model.h.scheduler.trigger('local-change');
          }
          expect(await sim.advanceUntil(succeeded, boundMs)).toBe(true);
          await sim.settle();
          model.checkQuiet();
          expect(model.violations).toEqual([]);
          await model.h.scheduler.stop();
        },
      ),
      { numRuns: 150 },
    );
  });
});
