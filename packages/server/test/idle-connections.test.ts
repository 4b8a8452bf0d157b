/**
 * Connections that open and never finish a request: the server keeps answering everyone
 * else, drops them once the header timeout passes, and its memory comes back afterwards.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { createFerryServer, createLogger, listen } from '../src/index.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { heapAfterGc } from './support/heap.ts';
import { TEST_SECRET } from './support/server.ts';

const kind = DATABASE_KINDS.at(-1)!;
const CONNECTIONS = 2000;

describe('connections that never send', () => {
  it(`${CONNECTIONS} silent or half-sent connections neither block others nor keep memory`, async () => {
    const { database, dispose } = await kind.create();
    const ferry = await createFerryServer({
      database,
      jwtSecret: TEST_SECRET,
      logger: createLogger('silent'),
    });
    // Short timeouts so the test sees them act; the defaults are 10 s for headers and 30 s
    // per request.
    const http = await listen(ferry, { headersTimeoutMs: 3000, requestTimeoutMs: 5000 });
    const { port } = new URL(http.url);
    try {
      const baseline = heapAfterGc();
      const sockets: net.Socket[] = [];
      const closed: Promise<void>[] = [];
      // Opened in batches, each connected before the next, so none waits in a full accept queue.
      for (let batch = 0; batch < CONNECTIONS / 250; batch++) {
        const connected: Promise<void>[] = [];
        for (let i = 0; i < 250; i++) {
          const socket = net.connect(Number(port), '127.0.0.1');
          socket.on('error', () => {});
          closed.push(new Promise((r) => socket.once('close', () => r())));
          connected.push(
            new Promise((r) =>
              socket.once('connect', () => {
                // Half of them start a request and stop in the middle of the headers.
                if (i % 2 === 0)
                  socket.write('POST /v1/push HTTP/1.1\r\nHost: x\r\nContent-Type: appl');
                r();
              }),
            ),
          );
          sockets.push(socket);
        }
        await Promise.all(connected);
      }
      // Everyone else is still served while they hang.
      const health = await fetch(`${http.url}/healthz`);
      expect(health.status).toBe(200);
      // The server drops them all by itself.
      await Promise.all(closed);
      for (const s of sockets) s.destroy();
      const after = heapAfterGc();
      // Generous bound: what is left is allocator noise, not per-connection state.
      expect(after - baseline).toBeLessThan(8 * 1024 * 1024);
    } finally {
      await http.close();
      await dispose();
    }
  });
});
