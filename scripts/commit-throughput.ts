/**
 * Ferry's push transaction alone, against PostgreSQL: commits per second with 1, 8 and 32
 * connections committing at once, and the time of each step of one push, for each source
 * tree given, in one run:
 *
 *   npx tsx --conditions=@ferry/source scripts/commit-throughput.ts [--seconds 5]
 *     [--connections 1,8,32] [--steps 300] <tree>…
 *
 * A tree is a checkout of this repository (an older commit unpacked beside this one, with a
 * `node_modules` link to this one's); its storage layer is loaded from its sources and
 * driven directly, with no HTTP and no queue: each connection commits one push of one `put`
 * per transaction, as fast as it can, on a schema of its own (`DATABASE_URL`, default
 * postgres://postgres@127.0.0.1:5432/test). Connections, then trees, take turns, so a
 * drift of the machine's speed touches every tree alike.
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values, positionals } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    steps: { type: 'string', default: '300' },
    connections: { type: 'string', default: '1,8,32' },
  },
  allowPositionals: true,
});
const SECONDS = Number(values.seconds);
const STEP_PUSHES = Number(values.steps);
const CONNECTIONS = values.connections.split(',').map(Number);
const URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

type Row = Record<string, unknown>;
interface Queryable {
  query<R = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}
interface Tree {
  name: string;
  migrate: (database: unknown) => Promise<unknown>;
  createPostgresDatabase: (o: { connectionString: string; schema: string }) => {
    close(): Promise<void>;
  };
  preparedName: (sql: string) => string | undefined;
  commitBatch: (db: Queryable, jobs: unknown[], options: unknown) => Promise<unknown>;
}

async function load(path: string): Promise<Tree> {
  const src = join(resolve(path), 'packages/server/src');
  const server = await import(join(src, 'index.ts'));
  const { migrate } = await import(join(src, 'db/migrations.ts'));
  const { preparedName } = await import(join(src, 'db/driver.ts'));
  const { commitBatch } = await import(join(src, 'storage/commit-batch.ts'));
  return {
    name: path,
    migrate,
    createPostgresDatabase: server.createPostgresDatabase,
    preparedName,
    commitBatch,
  };
}

const BATCH = { limits: { maxValueBytes: 1 << 20, maxValueDepth: 64 }, recordCommits: false };

function job(worker: number, n: number) {
  const clientId = `bench-${worker}`;
  return {
    origin: 'client',
    userId: clientId,
    clientId,
    spaces: new Set([clientId]),
    mutations: [
      {
        id: n,
        space: clientId,
        collection: 'todos',
        key: `k${n % 100}`,
        op: 'put',
        value: { title: `write ${n}`, done: false },
      },
    ],
  };
}

/** One connection's transactions, each statement timed when `steps` is given. */
function connection(tree: Tree, client: pg.PoolClient, steps?: number[]) {
  const timed = async <T>(work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      steps?.push(performance.now() - started);
    }
  };
  const tx: Queryable = {
    async query<R>(sql: string, params?: readonly unknown[]) {
      const name = tree.preparedName(sql);
      const values = params as unknown[] | undefined;
      const result = await timed(() =>
        name === undefined
          ? client.query(sql, values)
          : client.query({ name, text: sql, ...(values === undefined ? {} : { values }) }),
      );
      return result.rows as R[];
    },
  };
  return async (jobs: unknown[]) => {
    await timed(() => client.query('BEGIN'));
    try {
      await tree.commitBatch(tx, jobs, BATCH);
      await timed(() => client.query('COMMIT'));
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  };
}

async function withSchema<T>(
  tree: Tree,
  work: (pool: pg.Pool, schema: string) => Promise<T>,
): Promise<T> {
  const schema = `ferry_bench_${randomBytes(5).toString('hex')}`;
  const database = tree.createPostgresDatabase({ connectionString: URL, schema });
  await tree.migrate(database);
  await database.close();
  const pool = new pg.Pool({ connectionString: URL, max: 40, options: `-c search_path=${schema}` });
  try {
    return await work(pool, schema);
  } finally {
    await pool.end();
    const admin = new pg.Client({ connectionString: URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

interface Throughput {
  commitsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

async function throughput(tree: Tree, connections: number): Promise<Throughput> {
  return withSchema(tree, async (pool) => {
    const clients = await Promise.all(Array.from({ length: connections }, () => pool.connect()));
    const latencies: number[] = [];
    let measuring = false;
    let stop = false;
    let committed = 0;
    const workers = clients.map(async (client, w) => {
      const commit = connection(tree, client);
      for (let n = 1; !stop; n++) {
        const started = performance.now();
        await commit([job(w, n)]);
        if (measuring) {
          committed += 1;
          latencies.push(performance.now() - started);
        }
      }
    });
    await new Promise((r) => setTimeout(r, 1000));
    measuring = true;
    const started = performance.now();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    measuring = false;
    const elapsed = (performance.now() - started) / 1000;
    stop = true;
    await Promise.all(workers);
    for (const client of clients) client.release();
    latencies.sort((a, b) => a - b);
    return {
      commitsPerSecond: committed / elapsed,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
    };
  });
}

/** p50 of each step of one push, committed one at a time on one connection. */
async function stepTimes(tree: Tree): Promise<number[]> {
  return withSchema(tree, async (pool) => {
    const client = await pool.connect();
    const samples: number[][] = [];
    try {
      for (let n = 1; n <= STEP_PUSHES + 20; n++) {
        const steps: number[] = [];
        await connection(tree, client, steps)([job(0, n)]);
        if (n > 20) samples.push(steps);
      }
    } finally {
      client.release();
    }
    const count = Math.max(...samples.map((s) => s.length));
    return Array.from({ length: count }, (_, i) =>
      percentile(
        samples.map((s) => s[i] ?? 0).sort((a, b) => a - b),
        50,
      ),
    );
  });
}

const trees = await Promise.all((positionals.length > 0 ? positionals : ['.']).map(load));
const results = new Map<string, Map<number, Throughput>>();
for (const tree of trees) results.set(tree.name, new Map());
for (const connections of CONNECTIONS) {
  for (const tree of trees) {
    const figures = await throughput(tree, connections);
    results.get(tree.name)!.set(connections, figures);
    console.error(
      `${tree.name} ${connections}: ${figures.commitsPerSecond.toFixed(0)} commits/s, p50 ${figures.p50Ms.toFixed(2)} ms`,
    );
  }
}
const steps = new Map<string, number[]>();
for (const tree of trees) steps.set(tree.name, await stepTimes(tree));

console.log('| tree | connections | commits/s | p50 ms | p99 ms |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const connections of CONNECTIONS) {
  for (const tree of trees) {
    const f = results.get(tree.name)!.get(connections)!;
    console.log(
      `| ${tree.name} | ${connections} | ${f.commitsPerSecond.toFixed(0)} | ${f.p50Ms.toFixed(2)} | ${f.p99Ms.toFixed(2)} |`,
    );
  }
}
const [first, ...rest] = trees;
for (const tree of rest) {
  const ratios = CONNECTIONS.map((c) => {
    const ratio =
      results.get(tree.name)!.get(c)!.commitsPerSecond /
      results.get(first!.name)!.get(c)!.commitsPerSecond;
    return `${c}: ×${ratio.toFixed(2)}`;
  });
  console.log(`\n${tree.name} / ${first!.name}, commits/s: ${ratios.join(', ')}`);
}
console.log('\nSteps of one push, p50 ms (BEGIN, then each statement, then COMMIT):');
for (const tree of trees)
  console.log(
    `${tree.name}: ${steps
      .get(tree.name)!
      .map((ms) => ms.toFixed(2))
      .join(' / ')}`,
  );
