/**
 * Request bodies that arrive too slowly or never finish (I7): a client that sends its
 * headers and then trickles a push body a byte at a time is cut off by the request timeout
 * (Node answers 408 and closes the connection) while other clients are served; a body cut
 * short by the client ending the connection commits nothing and the server stays up.
 *
 * Real sockets and real timers, because the point is what Node's HTTP server does with a
 * slow connection; the timeouts are set to one second so the test sees them act.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFerryServer, createLogger, type Database, listen } from '../src/index.ts';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.ts';
import { TEST_SECRET } from './support/server.ts';

const kind = DATABASE_KINDS.at(-1)!;
const TIMEOUT_MS = 1000;
const TRICKLE_MS = 200;

interface RawResult {
  /** Everything the server sent back. */
  answer: string;
  /** Body bytes written before the server closed the connection. */
  sent: number;
}

function pushBody(clientId: string, key: string): string {
  return JSON.stringify({
    clientId,
    mutations: [
      { id: 1, space: 'slow', collection: 'notes', key, op: 'put', value: { text: 'x' } },
    ],
  });
}

function head(port: number, token: string, contentLength: number): string {
  return [
    'POST /v1/push HTTP/1.1',
    `Host: 127.0.0.1:${port}`,
    'Content-Type: application/json',
    `Authorization: Bearer ${token}`,
    `Content-Length: ${contentLength}`,
    '',
    '',
  ].join('\r\n');
}

/** Sends the headers at once, then the body one byte every `TRICKLE_MS` until the socket closes. */
function trickle(port: number, token: string, body: string): Promise<RawResult> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    let timer: ReturnType<typeof setInterval> | undefined;
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    socket.once('connect', () => {
      socket.write(head(port, token, Buffer.byteLength(body)));
      timer = setInterval(() => {
        if (sent < body.length && socket.writable) socket.write(body[sent++] ?? '');
      }, TRICKLE_MS);
    });
    socket.once('close', () => {
      clearInterval(timer);
      resolve({ answer, sent });
    });
  });
}

describe('slow and truncated request bodies', () => {
  let db: TestDatabase;
  let database: Database;
  let http: Awaited<ReturnType<typeof listen>>;
  let port: number;
  let token: string;
  const rows = async (key: string) =>
    database.query('SELECT key FROM ferry_records WHERE space = $1 AND key = $2', ['slow', key]);

  beforeAll(async () => {
    db = await kind.create();
    database = db.database;
    const ferry = await createFerryServer({
      database,
      jwtSecret: TEST_SECRET,
      logger: createLogger('silent'),
    });
    token = await ferry.signToken({ userId: 'slow-user', spaces: ['slow'] }, 3600);
    // The defaults are 10 s for headers and 30 s per request; one second each here.
    http = await listen(ferry, { headersTimeoutMs: TIMEOUT_MS, requestTimeoutMs: TIMEOUT_MS });
    port = Number(new URL(http.url).port);
  });
  afterAll(async () => {
    await http.close();
    await db.dispose();
  });

  const push = (clientId: string, key: string) =>
    fetch(`${http.url}/v1/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: pushBody(clientId, key),
    });

  it('cuts off a body trickled a byte at a time, while another push succeeds', async () => {
    const body = pushBody('slow-client', 'trickled');
    const slow = trickle(port, token, body);
    // Meanwhile, a normal push on the same server goes through.
    await new Promise((resolve) => setTimeout(resolve, TRICKLE_MS * 2));
    const normal = await push('quick-client', 'quick');
    expect(normal.status).toBe(200);
    expect((await normal.json()).results[0].status).toBe('applied');

    const { answer, sent } = await slow;
    // At a byte per 200 ms the whole body needs tens of seconds; the server closed the
    // connection long before (the request timeout, checked once a second).
    expect(sent).toBeLessThan(body.length);
    // Node answers a request it timed out with 408 when nothing was sent yet; a bare close
    // is also a refusal.
    if (answer !== '') expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(await rows('trickled')).toEqual([]);
    expect(await rows('quick')).toHaveLength(1);
  }, 20_000);

  it('commits nothing from a body cut short by the client, and keeps serving', async () => {
    const body = pushBody('truncating-client', 'truncated');
    const closed = new Promise<string>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      let answer = '';
      socket.on('error', () => {});
      socket.on('data', (chunk) => {
        answer += chunk.toString('latin1');
      });
      socket.once('close', () => resolve(answer));
      socket.once('connect', () => {
        // Promises more bytes than it sends, then ends its side of the connection.
        socket.write(head(port, token, Buffer.byteLength(body) + 500));
        socket.end(body);
      });
    });
    const answer = await closed;
    if (answer !== '') expect(answer).toMatch(/^HTTP\/1\.1 4\d\d /);
    expect(await rows('truncated')).toEqual([]);
    const health = await fetch(`${http.url}/healthz`);
    expect(health.status).toBe(200);
    const after = await push('after-truncation', 'after');
    expect(after.status).toBe(200);
    expect(await rows('after')).toHaveLength(1);
  }, 20_000);
});
