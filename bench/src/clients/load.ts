/**
 * W3's load generator: virtual clients that each make `ratePerClient` writes a second and
 * push them with the system's own protocol, one request in flight per client (writes made
 * meanwhile go in the next request, as a sync client batches its outbox). Latency is from
 * the moment a write was due to its acknowledgement, so a slow server cannot hide its
 * queueing by slowing the generator down.
 */
import { makeRecord } from '../data.ts';
import type { BenchRecord } from '../types.ts';
import { postJson } from './http.ts';
import type { ClientSystem, Target } from './types.ts';

export interface LoadOptions {
  ratePerClient: number;
  seconds: number;
  valueBytes: number;
  /** Longest wait for the last acknowledgements after the load stops. */
  drainMs: number;
}

export interface LoadResult {
  generated: number;
  acknowledged: number;
  errors: string[];
  latenciesMs: number[];
  /** From the first write due to the last acknowledgement. */
  elapsedMs: number;
  /** Acknowledgements received during the load window. */
  acknowledgedInWindow: number;
}

interface VirtualClient {
  target: Target;
  clientId: string;
  nextDue: number;
  written: number;
  nextMutationId: number;
  pending: { record: BenchRecord; due: number }[];
  inFlight: boolean;
}

const MAX_PER_REQUEST = 1000;

export async function runPushLoad(
  system: ClientSystem,
  targets: readonly Target[],
  options: LoadOptions,
): Promise<LoadResult> {
  const intervalMs = 1000 / options.ratePerClient;
  const start = performance.now() + 50;
  const end = start + options.seconds * 1000;
  const clients: VirtualClient[] = targets.map((target, i) => ({
    target,
    clientId: `load-${i}`,
    nextDue: start + (i / targets.length) * intervalMs,
    written: 0,
    nextMutationId: 1,
    pending: [],
    inFlight: false,
  }));
  const result: LoadResult = {
    generated: 0,
    acknowledged: 0,
    errors: [],
    latenciesMs: [],
    elapsedMs: 0,
    acknowledgedInWindow: 0,
  };
  let lastAck = start;

  const send = (client: VirtualClient) => {
    const batch = client.pending.splice(0, MAX_PER_REQUEST);
    client.inFlight = true;
    const firstId = client.nextMutationId;
    client.nextMutationId += batch.length;
    const request = system.pushRequest(
      client.target,
      client.clientId,
      firstId,
      batch.map((b) => b.record),
    );
    postJson(client.target.url + request.path, request.body, request.headers)
      .then((response) => {
        const now = performance.now();
        const acked = system.acknowledged(response.status, response.text, batch.length);
        if (acked !== batch.length) throw new Error(`${acked} of ${batch.length} acknowledged`);
        result.acknowledged += acked;
        if (now <= end) result.acknowledgedInWindow += acked;
        for (const b of batch) result.latenciesMs.push(now - b.due);
        lastAck = Math.max(lastAck, now);
      })
      .catch((error: unknown) => {
        if (result.errors.length < 20) result.errors.push(String(error));
      })
      .finally(() => {
        client.inFlight = false;
      });
  };

  const drainDeadline = end + options.drainMs;
  for (;;) {
    const now = performance.now();
    let busy = false;
    for (const client of clients) {
      while (client.nextDue <= now && client.nextDue < end) {
        const record = makeRecord(`${client.clientId}-`, client.written++, options.valueBytes);
        client.pending.push({ record, due: client.nextDue });
        result.generated += 1;
        client.nextDue += intervalMs;
      }
      if (!client.inFlight && client.pending.length > 0) send(client);
      busy ||= client.inFlight || client.pending.length > 0;
    }
    if (now >= end && !busy) break;
    if (now >= drainDeadline) {
      result.errors.push('the last acknowledgements did not arrive in time');
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  result.elapsedMs = lastAck - start;
  return result;
}
