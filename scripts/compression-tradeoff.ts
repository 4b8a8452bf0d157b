/**
 * What compressing pull answers costs and saves, per link: a Ferry server (compression on,
 * embedded PGlite) holds records of two kinds, and a client pulls all of them, page by page
 * (1,000 records), asking for no coding, gzip or brotli; on loopback, and through a proxy in
 * this process that holds each direction to a bandwidth and adds a one-way delay, as a
 * remote client's link would. Prints the time to pull everything (median of the rounds,
 * which go over every coding in turn), the bytes on the wire, and the client's decoding
 * time, and each time against the uncompressed one on the same link:
 *
 *   npx tsx --conditions=@ferry/source scripts/compression-tradeoff.ts [--records 20000] [--links loopback,100,20] [--delay-ms 10] [--rounds 3]
 *
 * A link is `loopback` or a bandwidth in Mbit/s. Records: "bench", the bench's ~1 KB values
 * (a repeated Latin filler, so highly compressible), and "app", ~1 KB values shaped like an
 * app's (ids, dates, tags, a title and a text of words drawn from a 4,000-word vocabulary).
 */
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { createFerryServer, createPGliteDatabase, listen } from '@ferry/server';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '20000' },
    links: { type: 'string', default: 'loopback,100,20' },
    'delay-ms': { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
  },
});
const RECORDS = Number(values.records);
const DELAY_MS = Number(values['delay-ms']);

// ── Records ───────────────────────────────────────────────────────────────────────────────
const FILLER = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. ';
function benchValue(i: number) {
  const start = i % FILLER.length;
  let text = '';
  while (text.length < 960 + start) text += FILLER;
  return { title: `record ${i}`, n: i, done: i % 2 === 0, body: text.slice(start, start + 960) };
}

/** mulberry32: a small PRNG with a period long enough that no text repeats. */
let seed = 7;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const SYLLABLES =
  'ka lo mi ne sa tu re vi on an el ur is po da fe gi ho ju ly mo nu pa qu ri st th'.split(' ');
const VOCABULARY = Array.from({ length: 4000 }, () => {
  let word = '';
  const length = 1 + Math.floor(random() * 3);
  for (let s = 0; s < length; s++) word += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
  return word;
});
/** Zipf-like: a few words are common, most are rare, as in prose. */
const word = () => VOCABULARY[Math.floor(VOCABULARY.length * random() ** 3)]!;
const words = (n: number) => Array.from({ length: n }, word).join(' ');
const TAGS = ['home', 'work', 'urgent', 'later', 'ideas', 'shopping', 'travel', 'health'];
function appValue(i: number) {
  const created = Date.UTC(2026, 0, 1) + Math.floor(random() * 3e10);
  return {
    id: randomBytes(16).toString('hex'),
    ownerId: `user-${Math.floor(random() * 50)}`,
    title: words(4 + Math.floor(random() * 5)),
    text: words(110 + Math.floor(random() * 40)),
    tags: TAGS.filter(() => random() < 0.25),
    done: random() < 0.3,
    priority: Math.floor(random() * 5),
    createdAt: new Date(created).toISOString(),
    updatedAt: new Date(created + Math.floor(random() * 1e9)).toISOString(),
    n: i,
  };
}

// ── A link of limited bandwidth and added delay ──────────────────────────────────────────
/**
 * Forwards `from` to `to`, each chunk leaving after the delay and no sooner than the
 * bandwidth allows, in order (one timer per direction drains what is due).
 */
function pace(from: Socket, to: Socket, mbps: number, delayMs: number): void {
  let free = 0;
  const queue: { at: number; chunk: Buffer | null }[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const drain = () => {
    timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && queue[0]!.at <= now) {
      const { chunk } = queue.shift()!;
      if (chunk === null) to.end();
      else to.write(chunk);
    }
    if (queue.length > 0) timer = setTimeout(drain, queue[0]!.at - now);
  };
  const add = (at: number, chunk: Buffer | null) => {
    queue.push({ at, chunk });
    if (timer === undefined)
      timer = setTimeout(drain, Math.max(0, queue[0]!.at - performance.now()));
  };
  from.on('data', (chunk: Buffer) => {
    free = Math.max(performance.now(), free) + (chunk.length * 8) / (mbps * 1000);
    add(free + delayMs, chunk);
  });
  from.on('end', () => add(Math.max(performance.now(), free) + delayMs, null));
  from.on('error', () => to.destroy());
}

function throttlingProxy(targetPort: number, mbps: number, delayMs: number): Promise<Server> {
  const proxy = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    pace(client, upstream, mbps, delayMs);
    pace(upstream, client, mbps, delayMs);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  return new Promise((resolve) => proxy.listen(0, '127.0.0.1', () => resolve(proxy)));
}

// ── Pulling everything ────────────────────────────────────────────────────────────────────
type Coding = 'identity' | 'gzip' | 'br';

interface Pulled {
  ms: number;
  wireBytes: number;
  jsonBytes: number;
  decodeMs: number;
}

async function pullAll(base: string, token: string, space: string, coding: Coding) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const page = (body: object) =>
    new Promise<{ wire: number; json: Buffer; decodeMs: number }>((done, fail) => {
      const req = request(
        `${base}/v1/pull`,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${token}`,
            'accept-encoding': coding,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const wire = Buffer.concat(chunks);
            const started = performance.now();
            const encoding = res.headers['content-encoding'];
            const json =
              encoding === 'gzip'
                ? gunzipSync(wire)
                : encoding === 'br'
                  ? brotliDecompressSync(wire)
                  : wire;
            done({ wire: wire.length, json, decodeMs: performance.now() - started });
          });
          res.on('error', fail);
        },
      );
      req.on('error', fail);
      req.end(JSON.stringify(body));
    });
  const started = performance.now();
  const result: Pulled = { ms: 0, wireBytes: 0, jsonBytes: 0, decodeMs: 0 };
  const clientId = `pull-${randomBytes(6).toString('hex')}`;
  let cursor: string | null = null;
  let count = 0;
  for (;;) {
    const answer = await page({ clientId, cursor, limit: 1000, spaces: [space] });
    const body = JSON.parse(answer.json.toString('utf8')) as {
      changes: unknown[];
      cursor: string;
      hasMore: boolean;
    };
    result.wireBytes += answer.wire;
    result.jsonBytes += answer.json.length;
    result.decodeMs += answer.decodeMs;
    count += body.changes.length;
    cursor = body.cursor;
    if (!body.hasMore) break;
  }
  result.ms = performance.now() - started;
  agent.destroy();
  if (count !== RECORDS) throw new Error(`pulled ${count} of ${RECORDS}`);
  return result;
}

// ── The run ───────────────────────────────────────────────────────────────────────────────
const database = await createPGliteDatabase();
const ferry = await createFerryServer({
  database,
  jwtSecret: 'compression-script-secret-long-enough-for-hs256!',
  logger: { debug() {}, info() {}, warn() {}, error() {} },
  compression: true,
  limits: { maxNewClientIdsPerUserPerHour: 0 },
});
const server = await listen(ferry);
const token = await ferry.signToken({ userId: 'u', spaces: ['bench', 'app'] }, 3600);
for (const [space, make] of [
  ['bench', benchValue],
  ['app', appValue],
] as const) {
  for (let from = 0; from < RECORDS; from += 1000) {
    const mutations = [];
    for (let i = from; i < Math.min(RECORDS, from + 1000); i++)
      mutations.push({
        id: i + 1,
        space,
        collection: 'items',
        key: `k${i}`,
        op: 'put',
        value: make(i),
      });
    const response = await ferry.fetch(
      new Request(`${server.url}/v1/push`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ clientId: `seed-${space}`, mutations }),
      }),
    );
    if (!response.ok) throw new Error(`seeding failed: ${response.status}`);
    await response.arrayBuffer();
  }
}
await database.exec('VACUUM ANALYZE');

const links = values.links.split(',');
const codings: Coding[] = ['identity', 'gzip', 'br'];
const results = new Map<string, Pulled[]>();
for (const link of links) {
  const proxy =
    link === 'loopback' ? undefined : await throttlingProxy(server.port, Number(link), DELAY_MS);
  const base =
    proxy === undefined
      ? server.url
      : `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const space of ['bench', 'app']) {
      for (const coding of round % 2 === 0 ? codings : [...codings].reverse()) {
        const key = `${link}\t${space}\t${coding}`;
        const pulled = await pullAll(base, token, space, coding);
        results.set(key, [...(results.get(key) ?? []), pulled]);
        process.stderr.write(`${link} ${space} ${coding}: ${pulled.ms.toFixed(0)} ms\n`);
      }
    }
  }
  proxy?.close();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  `${RECORDS.toLocaleString('en')} records pulled in pages of 1,000; links other than loopback add ${DELAY_MS} ms each way\n`,
);
console.log(
  '| link | records | coding | time (ms) | vs none | MB on the wire | ratio | client decoding (ms) |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const [key, runs] of results) {
  const [link, space, coding] = key.split('\t') as [string, string, Coding];
  const none = median(results.get(`${link}\t${space}\tidentity`)!.map((r) => r.ms));
  const ms = median(runs.map((r) => r.ms));
  const wire = runs[0]!.wireBytes;
  const json = runs[0]!.jsonBytes;
  console.log(
    `| ${link === 'loopback' ? 'loopback' : `${link} Mbit/s`} | ${space} | ${coding === 'identity' ? 'none' : coding} | ${ms.toFixed(0)} | ${(none / ms).toFixed(2)}× | ${(wire / 1e6).toFixed(2)} | ${(json / wire).toFixed(1)}× | ${median(runs.map((r) => r.decodeMs)).toFixed(0)} |`,
  );
}
await server.close();
await database.close();
process.exit(0);
