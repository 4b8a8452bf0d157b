/**
 * The long run of the deterministic simulation: thousands of seeds, each a scenario of
 * lost, duplicated and reordered requests, crashes, clock jumps and server restarts,
 * checked afterwards.
 *
 *   npm run soak                        # seeds 1..5000
 *   npm run soak -- --seeds 20000 --from 100000 --steps 80
 *   npm run soak -- --seed 4242         # replay one seed and print what happened
 */
import { parseArgs } from 'node:util';
import { runScenario, type ScenarioReport } from '@ferry/testing';
import { restartableServer } from './support/simulation-server.ts';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '5000' },
    from: { type: 'string', default: '1' },
    seed: { type: 'string' },
    steps: { type: 'string', default: '40' },
    'max-failures': { type: 'string', default: '10' },
    /** Spares the crash between storing a rejection's rollback and reporting it. */
    'no-crash-after-rejection': { type: 'boolean', default: false },
  },
});
const steps = Number(values.steps);
const crashAfterRejection = !values['no-crash-after-rejection'];
/** A fresh database now and then keeps each one small. */
const SEEDS_PER_SERVER = 500;

function describeFailure(report: ScenarioReport, withTrace: boolean): string {
  const lines = [`seed ${report.seed} FAILED:`, ...report.violations.map((v) => `  ${v}`)];
  if (withTrace) lines.push('what happened:', ...report.trace.map((t) => `  ${t}`));
  const flag = crashAfterRejection ? '' : ' --no-crash-after-rejection';
  lines.push(`replay: npm run soak -- --seed ${report.seed} --steps ${steps}${flag}`);
  return lines.join('\n');
}

if (values.seed !== undefined) {
  const server = await restartableServer();
  const report = await runScenario({
    seed: Number(values.seed),
    server,
    steps,
    crashAfterRejection,
  });
  await server.close();
  const { trace, ...figures } = report;
  console.log(trace.join('\n'));
  console.log(JSON.stringify(figures, null, 2));
  process.exit(report.violations.length > 0 ? 1 : 0);
}

const from = Number(values.from);
const count = Number(values.seeds);
const maxFailures = Number(values['max-failures']);
const started = Date.now();
const totals = {
  writes: 0,
  patches: 0,
  rejections: 0,
  crashes: 0,
  clockJumps: 0,
  serverRestarts: 0,
  liveStreams: 0,
  dropped: 0,
  duplicates: 0,
  runsChecked: 0,
  pullsChecked: 0,
};
const failures: number[] = [];
let server = await restartableServer();
for (let i = 0; i < count; i++) {
  const seed = from + i;
  if (i > 0 && i % SEEDS_PER_SERVER === 0) {
    await server.close();
    server = await restartableServer();
  }
  const report = await runScenario({ seed, server, steps, crashAfterRejection });
  totals.writes += report.writes;
  totals.patches += report.patches;
  totals.serverRestarts += report.serverRestarts;
  totals.liveStreams += report.live.streams;
  totals.runsChecked += report.checked.runs;
  totals.pullsChecked += report.checked.pulls;
  totals.rejections += report.rejections;
  totals.crashes += report.crashes;
  totals.clockJumps += report.clockJumps;
  totals.dropped += report.network.droppedRequests + report.network.droppedResponses;
  totals.duplicates += report.network.duplicates;
  if (report.violations.length > 0) {
    failures.push(seed);
    console.log(describeFailure(report, failures.length === 1));
    if (failures.length >= maxFailures) break;
  }
  if ((i + 1) % 100 === 0 || i + 1 === count) {
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    console.log(
      `${i + 1}/${count} seeds, ${failures.length} failed, ${seconds}s — ${JSON.stringify(totals)}`,
    );
  }
}
await server.close();
if (failures.length > 0) {
  console.log(`failing seeds: ${failures.join(' ')}`);
  process.exit(1);
}
console.log('every seed passed');
