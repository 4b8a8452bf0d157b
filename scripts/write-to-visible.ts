/**
 * A write on device A, live, becomes visible on device B, live, both with default client
 * options: A writes one record every 100 ms (`--every`; no `sync()`), B notes when its subscribed
 * query first shows each one. Prints p50/p99 of write → visible and A's requests and runs
 * per write, for each source tree given, and the ratio of the last to the first:
 *
 *   npx tsx --conditions=@ferry/source scripts/write-to-visible.ts [--writes 200] [--every 100] <tree>[+delay=<ms>]…
 *
 * A tree is a checkout of this repository (its packages are loaded from their sources), so
 * an older commit unpacked beside this one is measured in the same run as this one; with
 * `+delay=<ms>` its clients are given that `localChangeDelayMs`. Each tree runs in a
 * process of its own, with the server (embedded PGlite) and both clients.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type * as Client from '@ferry/client';
import type * as Server from '@ferry/server';

interface Figures {
  tree: string;
  delayMs: number | undefined;
  writes: number;
  seen: number;
  p50Ms: number;
  p99Ms: number;
  requests: { push: number; pull: number };
  runs: number;
}

const { values, positionals } = parseArgs({
  options: {
    writes: { type: 'string', default: '200' },
    every: { type: 'string', default: '100' },
    child: { type: 'boolean' },
  },
  allowPositionals: true,
});
const writes = Number(values.writes);
const WRITE_EVERY_MS = Number(values.every);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > end) return false;
    await sleep(5);
  }
  return true;
}

async function measure(tree: string, delayMs: number | undefined): Promise<Figures> {
  const client: typeof Client = await import(join(tree, 'packages/client/src/index.ts'));
  const server: typeof Server = await import(join(tree, 'packages/server/src/index.ts'));
  const database = await server.createPGliteDatabase();
  const ferry = await server.createFerryServer({
    database,
    jwtSecret: randomBytes(48).toString('base64'),
  });
  const listening = await server.listen(ferry, { port: 0 });
  const token = (user: string) => ferry.signToken({ userId: user, spaces: ['shared'] }, 3600);

  const counts = { push: 0, pull: 0 };
  const countingFetch: typeof fetch = (input, init) => {
    const path = new URL(String(input instanceof Request ? input.url : input)).pathname;
    if (path.endsWith('/v1/push')) counts.push += 1;
    if (path.endsWith('/v1/pull')) counts.pull += 1;
    return fetch(input, init);
  };
  const open = async (user: string, more: Partial<Client.ClientOptions> = {}) => {
    const t = await token(user);
    return client.createClient<{ items: { n: number } }>({
      url: listening.url,
      store: client.createMemoryStore(),
      getToken: () => t,
      defaultSpace: 'shared',
      live: true,
      ...(delayMs === undefined ? {} : { schedule: { localChangeDelayMs: delayMs } }),
      ...more,
    });
  };
  const a = await open('a', { fetch: countingFetch });
  const b = await open('b');
  let runs = 0;
  a.on('run', () => {
    runs += 1;
  });
  const seenAt = new Map<string, number>();
  b.collection('items').subscribe((rows) => {
    const now = performance.now();
    for (const row of rows) if (!seenAt.has(row.key)) seenAt.set(row.key, now);
  });
  const settled = (c: Client.FerryClient) => {
    const s = c.getStatus();
    return s.live === 'open' && s.state === 'idle' && s.lastSuccessAt !== null;
  };
  await until(() => settled(a) && settled(b), 10_000);
  await sleep(500);
  counts.push = 0;
  counts.pull = 0;
  runs = 0;

  const startedAt = new Map<string, number>();
  const first = performance.now();
  for (let i = 0; i < writes; i++) {
    await sleep(Math.max(0, first + i * WRITE_EVERY_MS - performance.now()));
    const key = `k${String(i).padStart(4, '0')}`;
    startedAt.set(key, performance.now());
    await a.collection('items').put(key, { n: i });
  }
  await until(() => seenAt.size >= writes, 30_000);
  await until(() => settled(a) && a.getStatus().pendingCount === 0, 30_000);
  await sleep(1_000);

  const latencies = [...startedAt]
    .map(([key, at]) => (seenAt.get(key) ?? Number.POSITIVE_INFINITY) - at)
    .sort((x, y) => x - y);
  const figures: Figures = {
    tree,
    delayMs,
    writes,
    seen: (await b.collection('items').query()).length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    requests: { ...counts },
    runs,
  };
  await Promise.all([a.close(), b.close()]);
  await listening.close();
  await database.close();
  return figures;
}

if (values.child) {
  const delay = positionals[1];
  const figures = await measure(resolve(positionals[0] ?? '.'), delay ? Number(delay) : undefined);
  process.stdout.write(`${JSON.stringify(figures)}\n`);
  process.exit(0);
}

const trees = positionals.length > 0 ? positionals : ['.'];
const results: Figures[] = trees.map((spec) => {
  const [, tree = '.', delay] = /^(.*?)(?:\+delay=(\d+))?$/.exec(spec) ?? [];
  const out = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=@ferry/source',
      import.meta.filename,
      '--child',
      '--writes',
      String(writes),
      '--every',
      String(WRITE_EVERY_MS),
      resolve(tree),
      ...(delay === undefined ? [] : [delay]),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!) as Figures;
});

const perWrite = (f: Figures, n: number) => (n / f.writes).toFixed(2);
console.log(
  `${writes} writes on A, one every ${WRITE_EVERY_MS} ms, default client options, A and B live\n`,
);
console.log(
  '| tree | B saw | p50 ms | p99 ms | A push/write | A pull/write | A requests/write | A runs/write |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const f of results) {
  const requests = f.requests.push + f.requests.pull;
  console.log(
    `| ${f.tree}${f.delayMs === undefined ? '' : ` (localChangeDelayMs ${f.delayMs})`} | ${f.seen}/${f.writes} | ${f.p50Ms.toFixed(1)} | ${f.p99Ms.toFixed(1)} | ${perWrite(f, f.requests.push)} | ${perWrite(f, f.requests.pull)} | ${perWrite(f, requests)} | ${perWrite(f, f.runs)} |`,
  );
}
const total = (f: Figures) => f.requests.push + f.requests.pull;
const [first] = results;
for (const f of results.slice(1)) {
  console.log(
    `\n${f.tree}${f.delayMs === undefined ? '' : ` (localChangeDelayMs ${f.delayMs})`} / ${first!.tree}${first!.delayMs === undefined ? '' : ` (localChangeDelayMs ${first!.delayMs})`}: p50 ×${(f.p50Ms / first!.p50Ms).toFixed(4)}, p99 ×${(f.p99Ms / first!.p99Ms).toFixed(4)}, requests ×${(total(f) / total(first!)).toFixed(2)}, runs ×${(f.runs / first!.runs).toFixed(2)}`,
  );
}
