/** docs/benchmarks.md: the command, the date, the machine, then one table per workload. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_PATH } from '../../test/support/chromium.ts';
import type { RunOptions } from './config.ts';
import { formatNumber } from './stats.ts';
import { type CellResult, STORAGE_LABELS, type StorageName, type SystemName } from './types.ts';
import type { MetricSpec, WorkloadResult } from './workloads/harness.ts';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  postgres: string;
  /** The Chromium the browser workloads ran in. */
  browser?: string;
  packages: Record<string, string>;
}

function chromiumVersion(): string {
  try {
    return execFileSync(CHROMIUM_PATH, ['--version'], { timeout: 10_000 }).toString().trim();
  } catch {
    return 'Chromium not found';
  }
}

export function describeMachine(repoRoot: string, postgres: string): Machine {
  const version = (name: string) => {
    try {
      const text = readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8');
      return (JSON.parse(text) as { version: string }).version;
    } catch {
      return 'not installed';
    }
  };
  const names = [
    'pouchdb',
    'express-pouchdb',
    'rxdb',
    'dexie',
    '@electric-sql/pglite',
    'pg',
    'hono',
    'playwright-core',
    'esbuild',
  ];
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    os: `Linux ${release()}`,
    node: process.version,
    postgres,
    browser: chromiumVersion(),
    packages: Object.fromEntries(names.map((n) => [n, version(n)])),
  };
}

const PEERS: { system: SystemName; label: string }[] = [
  { system: 'floor', label: 'floor' },
  { system: 'rxdb', label: 'RxDB' },
  { system: 'pouchdb', label: 'PouchDB (LevelDB)' },
];

function ratio(ferry: number | undefined, peer: number | undefined, spec: MetricSpec): string {
  if (
    ferry === undefined ||
    peer === undefined ||
    !Number.isFinite(ferry) ||
    !Number.isFinite(peer)
  )
    return '–';
  if (ferry === 0 || peer === 0) return '–';
  const value = spec.better === 'higher' ? ferry / peer : peer / ferry;
  const text = `${value >= 10 ? value.toFixed(0) : value.toFixed(2)}×`;
  return value < 1 ? `**${text}**` : text;
}

function figure(cell: CellResult | undefined, key: string): string {
  if (!cell) return 'n/a';
  const value = cell.metrics[key];
  const failed = cell.checks.some((c) => !c.ok);
  if (value === undefined || !Number.isFinite(value)) return failed ? 'failed' : '–';
  const range = cell.spread?.[key];
  const rounds = range ? ` (${formatNumber(range[0])}–${formatNumber(range[1])})` : '';
  return `${formatNumber(value)}${rounds}${failed ? ' ✗' : ''}`;
}

interface Column {
  label: string;
  find(storage: StorageName | 'none'): CellResult | undefined;
}

/** Ferry and the peers that ran (or, for a workload with `columns`, Ferry's own variants). */
function columnsOf(result: WorkloadResult, run: RunOptions): Column[] {
  if (result.columns) {
    return result.columns.map(({ variant, label }) => ({
      label,
      find: (storage) => result.cells.find((c) => c.variant === variant && c.storage === storage),
    }));
  }
  const bySystem = (system: SystemName) => (storage: StorageName | 'none') =>
    result.cells.find(
      (c) =>
        c.system === system &&
        (c.storage === storage ||
          (system === 'pouchdb' && storage !== 'none' && c.storage === 'leveldb')),
    );
  const peers = PEERS.filter(
    (p) => run.systems.includes(p.system) && result.cells.some((c) => c.system === p.system),
  );
  return [
    { label: 'Ferry', find: bySystem('ferry') },
    ...peers.map((p) => ({ label: p.label, find: bySystem(p.system) })),
  ];
}

function table(result: WorkloadResult, run: RunOptions): string {
  const [first, ...others] = columnsOf(result, run);
  const reference = first!;
  const name = result.columns ? reference.label : 'Ferry';
  const header = [
    'figure',
    'server storage',
    reference.label,
    ...others.flatMap((p) => [p.label, `${name} vs ${p.label}`]),
  ];
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  const clientOnly = result.cells.every((c) => c.storage === 'none');
  const storages: (StorageName | 'none')[] = clientOnly ? ['none'] : run.databases;
  for (const spec of result.metrics) {
    for (const storage of storages) {
      const ferry = reference.find(storage);
      const row = [
        spec.label,
        storage === 'none' ? '—' : STORAGE_LABELS[storage],
        figure(ferry, spec.key),
      ];
      for (const peer of others) {
        const cell = peer.find(storage);
        row.push(
          figure(cell, spec.key),
          ratio(ferry?.metrics[spec.key], cell?.metrics[spec.key], spec),
        );
      }
      lines.push(`| ${row.join(' | ')} |`);
    }
  }
  return lines.join('\n');
}

function failures(result: WorkloadResult): string {
  const lines: string[] = [];
  for (const cell of result.cells) {
    for (const c of cell.checks.filter((x) => !x.ok)) {
      lines.push(`- ✗ ${cell.system} on ${cell.storage}: ${c.name} — ${c.detail}`);
    }
  }
  const checks = result.cells.reduce((n, c) => n + c.checks.length, 0);
  return lines.length === 0
    ? `Correctness: all ${checks} checks passed (counts match on server and client; nothing lost or duplicated).`
    : `Correctness: ${lines.length} of ${checks} checks FAILED:\n\n${lines.join('\n')}`;
}

/** The targets of the benchmark issue, checked against Ferry's figures (never in a test). */
const TARGETS: {
  workload: string;
  key: string;
  label: string;
  limit: (storage: StorageName | 'none') => number;
  better: 'higher' | 'lower';
}[] = [
  {
    workload: 'W1',
    key: 'recordsPerSecond',
    label: 'W1 ≥ 40,000 records/s (Node)',
    limit: () => 40_000,
    better: 'higher',
  },
  {
    workload: 'W1B',
    key: 'recordsPerSecond',
    label: 'W1 ≥ 25,000 records/s into IndexedDB (Chromium)',
    limit: () => 25_000,
    better: 'higher',
  },
  {
    workload: 'W2',
    key: 'largeP99',
    label: 'W2 p99 < 5 ms at the large size',
    limit: () => 5,
    better: 'lower',
  },
  {
    workload: 'W3',
    key: 'ackPerSecond',
    label:
      'W3 ≥ 10,000/s on PostgreSQL, ≥ 3,000/s on PGlite (10,000/s offered: the figure cannot exceed it)',
    limit: (s) => (s === 'pglite' ? 3_000 : 10_000),
    better: 'higher',
  },
  { workload: 'W3', key: 'p99', label: 'W3 p99 ≤ 50 ms', limit: () => 50, better: 'lower' },
  { workload: 'W4', key: 'p50', label: 'W4 p50 ≤ 10 ms', limit: () => 10, better: 'lower' },
  { workload: 'W4', key: 'p99', label: 'W4 p99 ≤ 50 ms', limit: () => 50, better: 'lower' },
  {
    workload: 'W5',
    key: 'heapKiB',
    label: 'W5 ≤ 12 KB per stream (heap)',
    limit: () => 12_000 / 1024,
    better: 'lower',
  },
  {
    workload: 'W7',
    key: 'p50@1000',
    label: 'W7 p50 ≤ 2 ms (1,000 records)',
    limit: () => 2,
    better: 'lower',
  },
  { workload: 'W8', key: 'ms', label: 'W8 ≤ 300 ms', limit: () => 300, better: 'lower' },
];

function targets(results: readonly WorkloadResult[]): string {
  const lines = ['| target | Ferry on PostgreSQL | Ferry on PGlite |', '| --- | --- | --- |'];
  for (const t of TARGETS) {
    const result = results.find((r) => r.id === t.workload);
    if (!result) continue;
    const cellText = (storage: StorageName | 'none') => {
      const cell = result.cells.find(
        (c) => c.system === 'ferry' && (c.storage === storage || c.storage === 'none'),
      );
      const value = cell?.metrics[t.key];
      if (value === undefined || !Number.isFinite(value)) return 'n/a';
      const met = t.better === 'higher' ? value >= t.limit(storage) : value <= t.limit(storage);
      return `${formatNumber(value)} ${met ? '— met' : '— **missed**'}`;
    };
    lines.push(`| ${t.label} | ${cellText('postgres')} | ${cellText('pglite')} |`);
  }
  return lines.join('\n');
}

export function renderReport(args: {
  command: string;
  /** The commit the run measured, when known. */
  commit?: string;
  date: Date;
  run: RunOptions;
  machine: Machine;
  results: WorkloadResult[];
  elapsedSeconds: number;
  notes: string;
}): string {
  const { run, machine } = args;
  const sizes = Object.entries(run.sizes)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : v}`)
    .join(', ');
  const out = [
    '# Benchmarks',
    '',
    `Generated by \`${args.command}\`${args.commit ? ` at commit ${args.commit}` : ''} on ${args.date.toISOString().replace('T', ' ').slice(0, 16)} UTC, in ${Math.round(args.elapsedSeconds / 60)} min. Profile **${run.profile}**: ${sizes}.`,
    '',
    'Every figure below was measured in that one run, on this machine, with every system side by side. Read them as ratios, not as absolute claims. **Ferry vs X** says how many times better Ferry’s figure is than X’s (higher throughput, or lower time/memory): above 1× Ferry wins, below 1× (in bold) Ferry loses. ✗ marks a figure whose correctness checks failed.',
    '',
    '## Machine',
    '',
    `- CPU: ${machine.cpu}, ${machine.cores} cores; ${machine.memoryGiB} GiB RAM; ${machine.os}`,
    `- Node ${machine.node}; ${machine.postgres}${machine.browser ? `; ${machine.browser} (headless, for W1B and BOOT)` : ''}`,
    `- ${Object.entries(machine.packages)
      .map(([n, v]) => `${n} ${v}`)
      .join(', ')}`,
    '- Servers and clients run in separate processes on the same machine, talking over loopback TCP.',
    '',
    '## Systems',
    '',
    '- **Ferry**: `createFerryServer` + `listen` on PostgreSQL (a schema of its own per measurement) or on embedded PGlite (a temporary data folder); clients are `createClient` with the memory store.',
    '- **floor**: the same bytes through bare `node:http` + `JSON.parse` and a plain bulk insert into the same database and into the same memory store on the client — no auth, no exactly-once, no ordering guarantee. The distance to the floor is the price of Ferry’s guarantees and framework.',
    '- **RxDB**: `rxdb` with its free memory storage and `replicateRxCollection`, against a minimal pull/push endpoint over PostgreSQL/PGlite written for this bench (`bench/src/servers/rxdb-endpoint.ts`): `rxdb-server` does not install with a matching major version (it is at 15.x while RxDB is at 17.x) and is SSPL-licensed. The endpoint serialises writers on a counter row, so pulls skip nothing (Ferry takes versions from a sequence and reads below a watermark instead: docs/internals.md).',
    '- **PouchDB**: `pouchdb` with the memory adapter on the client, replicating with `express-pouchdb` (CouchDB protocol) whose databases live in LevelDB. It does not run on PostgreSQL or PGlite: its figure is repeated on both rows and compared with Ferry’s on each.',
    '',
    '## Ferry against the targets of the benchmark issue',
    '',
    'Best-in-class targets for a 2-core machine; the ratios against the peers below decide. W7 is client-only, so both columns show the same figure. The long tasks of a bootstrap (BOOT) have no target: they are reported below.',
    '',
    targets(args.results),
    '',
  ];
  for (const result of args.results) {
    out.push(
      `## ${result.id} — ${result.title}`,
      '',
      result.description,
      '',
      table(result, run),
      '',
    );
    for (const note of result.notes) out.push(`> ${note}`, '');
    out.push(failures(result), '');
  }
  out.push(
    '## Not measured here',
    '',
    '- **W7 in the browser**: every client figure above except W1B and BOOT is Node with an in-memory store; local queries on SQLite and in the browser are W9, measured by scripts of their own (below).',
    ...(args.results.some((r) => r.id === 'RECOVER')
      ? []
      : ['- **RECOVER** is not in this run: its figures below come from a run of its own, dated.']),
    '- **W6** is not part of the workload list.',
    '',
    args.notes.trim(),
    '',
  );
  return out.join('\n');
}
