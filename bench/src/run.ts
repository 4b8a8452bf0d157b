/** Runs the workloads a `RunOptions` names, in order, and collects their results. */
import { type RunOptions, WORKLOADS } from './config.ts';
import { progress } from './progress.ts';
import { runBoot } from './workloads/boot.ts';
import { runFanout } from './workloads/fanout.ts';
import type { WorkloadResult } from './workloads/harness.ts';
import { runRecover } from './workloads/recover.ts';
import { runW1 } from './workloads/w1.ts';
import { runW1B } from './workloads/w1b.ts';
import { runW2W8 } from './workloads/w2w8.ts';
import { runW3, runW3Light } from './workloads/w3.ts';
import { runW4 } from './workloads/w4.ts';
import { runW4D } from './workloads/w4d.ts';
import { runW5 } from './workloads/w5.ts';
import { runW7 } from './workloads/w7.ts';

export async function runWorkloads(run: RunOptions): Promise<WorkloadResult[]> {
  const wants = (id: string) => run.workloads.includes(id as RunOptions['workloads'][number]);
  const results: WorkloadResult[] = [];
  const step = async (id: string, work: () => Promise<WorkloadResult | WorkloadResult[]>) => {
    progress(`== ${id}`);
    const produced = await work();
    results.push(...(Array.isArray(produced) ? produced : [produced]));
  };
  if (wants('W1')) await step('W1', () => runW1(run));
  if (wants('W1B')) await step('W1B', () => runW1B(run));
  if (wants('W2') || wants('W8')) {
    await step(wants('W2') && wants('W8') ? 'W2 + W8' : wants('W2') ? 'W2' : 'W8', () =>
      runW2W8(run, { w2: wants('W2'), w8: wants('W8') }),
    );
  }
  if (wants('W3')) await step('W3', () => runW3(run));
  if (wants('W3L')) await step('W3L', () => runW3Light(run));
  if (wants('W4')) await step('W4', () => runW4(run));
  if (wants('W4D')) await step('W4D', () => runW4D(run));
  if (wants('W5')) await step('W5', () => runW5(run));
  if (wants('FANOUT')) await step('FANOUT', () => runFanout(run));
  if (wants('RECOVER')) await step('RECOVER', () => runRecover(run));
  if (wants('W7')) await step('W7', () => runW7(run));
  if (wants('BOOT')) await step('BOOT', () => runBoot(run));
  const order: readonly string[] = WORKLOADS;
  return results.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
}

/** Every failed check, as lines for a summary. */
export function failedChecks(results: readonly WorkloadResult[]): string[] {
  return results.flatMap((r) =>
    r.cells.flatMap((cell) =>
      cell.checks
        .filter((c) => !c.ok)
        .map((c) => `${r.id} ${cell.system} on ${cell.storage}: ${c.name} — ${c.detail}`),
    ),
  );
}
