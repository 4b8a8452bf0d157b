/**
 * The memory of `ferry serve` on its embedded database (PGlite in a data folder) holding
 * 0, 2,000 or 100,000 records of ~1 KB: its RSS and JS heap (after a full garbage
 * collection, as the bench's W1 reads them) once started on a new folder, once seeded, and
 * at the peak of a full pull of every record (RSS sampled every 20 ms); then the same after
 * a restart on that folder; plus the highest RSS of each process (the kernel's VmHWM) and
 * the pulls' records/s. For each tree given, in rounds that go over every tree in turn:
 *
 *   npx tsx scripts/pglite-memory.ts [--records 0,2000,100000] [--rounds 3] <tree>[+<name>=<value>…]…
 *
 * A tree is a checkout of this repository whose packages are built (`npm run build`), e.g.
 * an older commit unpacked beside this one; its own `packages/server/bin/ferry.mjs serve
 * --dev` is the server, run by plain Node as users run it. `+shared_buffers=128MB` passes
 * that PostgreSQL setting (`--pglite-settings`). This process is the client, over HTTP.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

interface Memory {
  rssMiB: number;
  heapMiB: number;
  /** The process's highest RSS so far. */
  peakMiB: number;
}

/**
 * Loaded into the server process before ferry's CLI: answers `memory` with its memory after
 * a full collection, `sample` by sampling RSS every 20 ms, and `stop` with the highest.
 */
const PRELOAD = `
import { readFileSync } from 'node:fs';
const MiB = 1024 * 1024;
const hwm = () => Number(/VmHWM:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
let peak = 0, timer;
process.on('message', (m) => {
  if (m === 'memory' || m === 'sample') {
    globalThis.gc();
    const u = process.memoryUsage();
    process.send({ rssMiB: u.rss / MiB, heapMiB: u.heapUsed / MiB, peakMiB: hwm() });
    if (m === 'sample') {
      peak = u.rss / MiB;
      timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss / MiB); }, 20);
    }
  } else if (m === 'stop') {
    clearInterval(timer);
    process.send({ rssMiB: Math.max(peak, process.memoryUsage().rss / MiB), heapMiB: 0, peakMiB: hwm() });
  }
});
process.channel?.unref();
`;

interface Server {
  proc: ChildProcess;
  url: string;
  token: string;
  ask(message: 'memory' | 'sample' | 'stop'): Promise<Memory>;
  stop(): Promise<void>;
}

async function startServer(
  tree: string,
  dataDir: string,
  settings: Record<string, string>,
): Promise<Server> {
  const pairs = Object.entries(settings).map(([name, value]) => `${name}=${value}`);
  const proc = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      `data:text/javascript,${encodeURIComponent(PRELOAD)}`,
      join(tree, 'packages/server/bin/ferry.mjs'),
      'serve',
      '--dev',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--log-level',
      'warn',
      ...(pairs.length > 0 ? ['--pglite-settings', pairs.join(',')] : []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
  );
  let output = '';
  const url = await new Promise<string>((done, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const found = /listening on (http:\/\/[^\s(]+)/.exec(output);
      if (found) done(found[1]!);
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    proc.once('exit', (code) => fail(new Error(`ferry serve ended (${code}):\n${output}`)));
  });
  const minted = await post(url, '/v1/dev/token', undefined, { user: 'u', spaces: ['s'] });
  const token = (minted as { token: string }).token;
  return {
    proc,
    url,
    token,
    ask(message) {
      return new Promise((done) => {
        proc.once('message', (m) => done(m as Memory));
        proc.send(message);
      });
    },
    async stop() {
      const exited = new Promise((done) => proc.once('exit', done));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

const agent = new Agent({ keepAlive: true });

function post(url: string, path: string, token: string | undefined, body: object) {
  return new Promise<unknown>((done, fail) => {
    const req = request(
      `${url}${path}`,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) fail(new Error(`${path}: ${res.statusCode} ${text}`));
          else done(JSON.parse(text));
        });
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    req.end(JSON.stringify(body));
  });
}

const FILLER = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. ';

/** The bench's W1 records: ~1 KB values, pushed in pages of 1,000 over four lanes. */
async function seed(server: Server, records: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async (_, lane) => {
      let id = 0;
      while (next < records) {
        const from = next;
        next = Math.min(records, next + 1000);
        const mutations = [];
        for (let i = from; i < next; i++) {
          const start = i % FILLER.length;
          const body = FILLER.repeat(14).slice(start, start + 960);
          const value = { title: `record ${i}`, n: i, done: i % 2 === 0, body };
          mutations.push({
            id: ++id,
            space: 's',
            collection: 'items',
            key: `k${i}`,
            op: 'put',
            value,
          });
        }
        await post(server.url, '/v1/push', server.token, { clientId: `seed-${lane}`, mutations });
      }
    }),
  );
}

/** Pulls every record, page by page; records per second. */
async function pullAll(server: Server, expected: number): Promise<number> {
  const started = performance.now();
  const clientId = `pull-${Math.random().toString(36).slice(2)}`;
  let cursor: string | null = null;
  let count = 0;
  for (;;) {
    const page = (await post(server.url, '/v1/pull', server.token, {
      clientId,
      cursor,
      limit: 1000,
      spaces: ['s'],
    })) as { changes: unknown[]; cursor: string; hasMore: boolean };
    count += page.changes.length;
    cursor = page.cursor;
    if (!page.hasMore) break;
  }
  if (count !== expected) throw new Error(`pulled ${count} of ${expected}`);
  return count / ((performance.now() - started) / 1000);
}

interface Run {
  started: Memory;
  seeded: Memory;
  pullPeakMiB: number;
  processPeakMiB: number;
  perSecond: number;
}

/** One server's life: start, seed `records` (none on a restart), then pull `expected`. */
async function measure(
  tree: string,
  dataDir: string,
  settings: Record<string, string>,
  records: number,
  expected: number,
): Promise<Run> {
  const server = await startServer(tree, dataDir, settings);
  try {
    const started = await server.ask('memory');
    await seed(server, records);
    const seeded = await server.ask('sample');
    const perSecond = expected > 0 ? await pullAll(server, expected) : Number.NaN;
    const peak = await server.ask('stop');
    return {
      started,
      seeded,
      pullPeakMiB: peak.rssMiB,
      processPeakMiB: peak.peakMiB,
      perSecond,
    };
  } finally {
    await server.stop();
  }
}

const { values, positionals } = parseArgs({
  options: {
    records: { type: 'string', default: '0,2000,100000' },
    rounds: { type: 'string', default: '3' },
  },
  allowPositionals: true,
});
const specs = (positionals.length > 0 ? positionals : ['.']).map((spec) => {
  const [tree = '.', ...pairs] = spec.split('+');
  const settings = Object.fromEntries(pairs.map((p) => p.split('=') as [string, string]));
  return { spec, tree: resolve(tree), settings };
});
const counts = values.records.split(',').map(Number);
const results = new Map<string, { fresh: Run[]; restart: Run[] }>();
for (let round = 1; round <= Number(values.rounds); round++) {
  for (const records of counts) {
    for (const { spec, tree, settings } of specs) {
      const folder = mkdtempSync(join(tmpdir(), 'ferry-memory-'));
      try {
        const fresh = await measure(tree, folder, settings, records, records);
        const restart = await measure(tree, folder, settings, 0, records);
        const key = `${spec}\t${records}`;
        const entry = results.get(key) ?? { fresh: [], restart: [] };
        entry.fresh.push(fresh);
        entry.restart.push(restart);
        results.set(key, entry);
        process.stderr.write(
          `round ${round}: ${spec}, ${records} records: ${JSON.stringify({ fresh, restart })}\n`,
        );
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    }
  }
}

/** The median, and the range when there are several rounds. */
function figure(runs: Run[], pick: (run: Run) => number): string {
  const sorted = runs.map(pick).sort((a, b) => a - b);
  if (Number.isNaN(sorted[0])) return '–';
  const mid = sorted[Math.floor((sorted.length - 1) / 2)]!;
  if (sorted.length === 1) return mid.toFixed(0);
  return `${mid.toFixed(0)} (${sorted[0]!.toFixed(0)}–${sorted.at(-1)!.toFixed(0)})`;
}

console.log(
  '| tree | records | started: RSS | seeded: RSS | seeded: heap | pull: peak RSS | highest RSS | pull records/s | restarted: RSS | restarted: heap | pull: peak RSS | highest RSS | pull records/s |',
);
console.log(`|${' --- |'.repeat(13)}`);
for (const [key, { fresh, restart }] of results) {
  const [spec, records] = key.split('\t');
  const cells = [
    figure(fresh, (r) => r.started.rssMiB),
    figure(fresh, (r) => r.seeded.rssMiB),
    figure(fresh, (r) => r.seeded.heapMiB),
    figure(fresh, (r) => r.pullPeakMiB),
    figure(fresh, (r) => r.processPeakMiB),
    figure(fresh, (r) => r.perSecond),
    figure(restart, (r) => r.started.rssMiB),
    figure(restart, (r) => r.started.heapMiB),
    figure(restart, (r) => r.pullPeakMiB),
    figure(restart, (r) => r.processPeakMiB),
    figure(restart, (r) => r.perSecond),
  ];
  console.log(`| ${spec} | ${records} | ${cells.join(' | ')} |`);
}
agent.destroy();
