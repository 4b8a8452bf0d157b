/**
 * A TCP proxy in front of the demo server that can take it away as a real outage does: new
 * connections are refused, other connections are cut, and an open event stream goes
 * silent — no bytes, no close — as behind a dead network path or a hung process, so only
 * its heartbeat can tell the browser it is gone. The server itself keeps running, so the
 * test can still write and read through it.
 */
import net from 'node:net';

export interface OutageProxy {
  /** `http://127.0.0.1:<port>`: what the browser talks to. */
  readonly url: string;
  /** The server goes away. */
  goDown(): void;
  /** The server is back on the same address; the silenced streams are dropped. */
  comeBack(): Promise<void>;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  /** The connection carries an event stream (its response said text/event-stream). */
  stream: boolean;
}

export async function startOutageProxy(target: {
  host: string;
  port: number;
}): Promise<OutageProxy> {
  const pairs = new Set<Pair>();
  let listener: net.Server | undefined;
  let port = 0;

  const accept = (client: net.Socket) => {
    const upstream = net.connect(target.port, target.host);
    const pair: Pair = { client, upstream, stream: false };
    pairs.add(pair);
    upstream.on('data', (chunk: Buffer) => {
      if (!pair.stream && chunk.toString('latin1').includes('text/event-stream')) {
        pair.stream = true;
      }
    });
    client.pipe(upstream);
    upstream.pipe(client);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', drop);
      socket.on('close', drop);
    }
  };

  const open = () =>
    new Promise<void>((resolve, reject) => {
      const server = net.createServer(accept);
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as net.AddressInfo).port;
        listener = server;
        resolve();
      });
    });

  await open();
  const silenced: Pair[] = [];
  return {
    url: `http://127.0.0.1:${port}`,
    goDown() {
      // Stops accepting at once; its callback would wait for the silenced connections.
      listener?.close();
      listener = undefined;
      for (const pair of [...pairs]) {
        if (!pair.stream) {
          pair.client.destroy();
          pair.upstream.destroy();
          continue;
        }
        pair.upstream.unpipe(pair.client);
        pair.client.unpipe(pair.upstream);
        pair.upstream.pause();
        pair.client.pause();
        silenced.push(pair);
      }
    },
    async comeBack() {
      for (const pair of silenced.splice(0)) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      await open();
    },
    async close() {
      for (const pair of [...pairs]) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      const closing = listener;
      listener = undefined;
      if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
  };
}
