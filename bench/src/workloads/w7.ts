/** W7: a local write until a subscribed query on the same client shows it. No server involved. */
import type { RunOptions } from '../config.ts';
import { progress } from '../progress.ts';
import { percentile } from '../stats.ts';
import { type CellResult, check, SYSTEM_LABELS } from '../types.ts';
import { type MetricSpec, openClientHost, type WorkloadResult } from './harness.ts';

export async function runW7(run: RunOptions): Promise<WorkloadResult> {
  const { w7Records: sizes, w7Samples: samples } = run.sizes;
  const metrics: MetricSpec[] = sizes.flatMap((n) => [
    {
      key: `p50@${n}`,
      label: `p50 (ms), ${n.toLocaleString('en-US')} records`,
      better: 'lower' as const,
    },
    {
      key: `p95@${n}`,
      label: `p95 (ms), ${n.toLocaleString('en-US')} records`,
      better: 'lower' as const,
    },
  ]);
  const result: WorkloadResult = {
    id: 'W7',
    title: 'Local write → subscribed query updated, on the client',
    description:
      "A collection already holding N records of ~200 B, a query subscribed to all of it, then writes one after another; time from the write call to the subscriber seeing the record. Ferry: `collection.subscribe`; RxDB: `find().$` on the memory storage; PouchDB has no live queries, so its figure is the changes feed plus `allDocs` again, as an app would do it; floor: a plain insert into Ferry's memory store and the collection read back. Client only: the database does not apply.",
    metrics,
    cells: [],
    notes: [],
  };
  const client = await openClientHost(run);
  try {
    for (const system of run.systems) {
      const cell: CellResult = { system, storage: 'none', metrics: {}, checks: [] };
      for (const records of sizes) {
        progress(`W7 ${SYSTEM_LABELS[system]}: ${records} records, ${samples} writes`);
        try {
          const latencies = await client.call('localLatency', {
            system,
            records,
            samples,
            valueBytes: run.sizes.largeValueBytes,
          });
          cell.metrics[`p50@${records}`] = percentile(latencies, 50);
          cell.metrics[`p95@${records}`] = percentile(latencies, 95);
          cell.checks.push(
            check(
              `every write seen (${records} records)`,
              latencies.length === samples,
              `${latencies.length} of ${samples}`,
            ),
          );
        } catch (error) {
          cell.checks.push(check(`ran (${records} records)`, false, String(error).split('\n')[0]!));
        }
      }
      result.cells.push(cell);
    }
  } finally {
    await client.close();
  }
  return result;
}
