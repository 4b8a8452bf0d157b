/**
 * The live event stream over the simulated network: the server's answer to
 * `GET /v1/events` is relayed chunk by chunk to the process that asked, for as long as both
 * ends hold it. The network cuts a relay when the process goes offline (it sees the
 * connection fail), drops it when the process dies (the server sees it go away), and the
 * server ends it itself when it closes for a restart. Chunks travel at once, without
 * drawing on the seeded generator, so a run with streams replays like any other.
 */
import type { NetworkEndpoint } from './network.ts';

export interface Relay {
  readonly endpoint: NetworkEndpoint;
  /** The connection fails under the process, and the server sees it close. */
  cut(): void;
  /** The process is gone: the server sees the connection close, nobody reads any more. */
  drop(): void;
}

export const isEventStream = (method: string, url: string) =>
  method === 'GET' && new URL(url).pathname.endsWith('/v1/events');

export function relayStream(
  answer: Response,
  endpoint: NetworkEndpoint,
  relays: Set<Relay>,
): Response {
  const reader = answer.body?.getReader();
  if (reader === undefined) return answer;
  let downstream: ReadableStreamDefaultController<Uint8Array> | undefined;
  const relay: Relay = {
    endpoint,
    cut() {
      relay.drop();
      try {
        downstream?.error(new TypeError('fetch failed: connection lost (simulated network)'));
      } catch {}
    },
    drop() {
      relays.delete(relay);
      reader.cancel().catch(() => {});
    },
  };
  relays.add(relay);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      downstream = controller;
    },
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (!relays.has(relay)) return;
        if (done) {
          relays.delete(relay);
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        if (!relays.has(relay)) return;
        relays.delete(relay);
        controller.error(error);
      }
    },
    cancel() {
      relay.drop();
    },
  });
  return new Response(body, { status: answer.status, headers: answer.headers });
}

/** Cuts or drops the relays whose process went offline or died; called as time moves. */
export function sweepRelays(relays: Set<Relay>): void {
  for (const relay of [...relays]) {
    if (!relay.endpoint.alive()) relay.drop();
    else if (!relay.endpoint.online()) relay.cut();
  }
}
