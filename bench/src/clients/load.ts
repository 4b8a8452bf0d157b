/**
 * W3's load generator: virtual clients that each make `ratePerClient` writes a second and
 * push them with the system's own protocol, one request in flight per client (writes made
 * meanwhile go in the next request, as a sync client batches its outbox). Latency is from
 * the moment a write was due to its acknowledgement, so a slow server cannot hide its
 * queueing by slowing the generator down. A server that refuses a push as busy (503 or 429
 * with Retry-After) gets the same writes again after that pause, as a sync client would
 * resend its outbox; the wait counts in their latency.
 *
 * Writes are made when due and sent at once when their client has no request out, or as
 * soon as its request is answered: the generator adds no wait of its own (it wakes when the
 * next write is due, to the millisecond that timers give).
 *
 * Each client has a connection of its own, as a device would, opened before the load
 * starts (a hundred at a time): the figures are of clients pushing, not of a thousand
 * connecting in the same 100 ms, which a server whose thread is busy with an embedded
 * database does not accept quickly enough (the kernel's accept queue overflows and the
 * refused connects are retried after seconds).
 */

import { Agent } from 'node:http';
import { makeRecord } from '../data.ts';
import type { BenchRecord } from '../types.ts';
import { openConnection, postJson } from './http.ts';
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
  /** Pushes refused as busy (503/429 with Retry-After), whose writes were sent again. */
  refused: number;
}

interface VirtualClient {
  target: Target;
  agent: Agent;
  clientId: string;
  nextDue: number;
  written: number;
  nextMutationId: number;
  pending: { record: BenchRecord; due: number }[];
  inFlight: boolean;
  /** No request before this time: the server asked for a pause. */
  notBefore: number;
}

const MAX_PER_REQUEST = 1000;
const CONNECTS_AT_ONCE = 100;

async function openConnections(clients: readonly VirtualClient[]): Promise<void> {
  for (let i = 0; i < clients.length; i += CONNECTS_AT_ONCE) {
    const wave = clients.slice(i, i + CONNECTS_AT_ONCE);
    await Promise.all(wave.map((c) => openConnection(c.target.url, c.agent)));
  }
}

export async function runPushLoad(
  system: ClientSystem,
  targets: readonly Target[],
  options: LoadOptions,
): Promise<LoadResult> {
  const intervalMs = 1000 / options.ratePerClient;
  const clients: VirtualClient[] = targets.map((target, i) => ({
    target,
    agent: new Agent({ keepAlive: true, maxSockets: 1 }),
    clientId: `load-${i}`,
    nextDue: 0,
    written: 0,
    nextMutationId: 1,
    pending: [],
    inFlight: false,
    notBefore: 0,
  }));
  const result: LoadResult = {
    generated: 0,
    acknowledged: 0,
    errors: [],
    latenciesMs: [],
    elapsedMs: 0,
    acknowledgedInWindow: 0,
    refused: 0,
  };
  await openConnections(clients);
  const start = performance.now() + 50;
  const end = start + options.seconds * 1000;
  for (const [i, client] of clients.entries()) {
    client.nextDue = start + (i / clients.length) * intervalMs;
  }
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
    postJson(client.target.url + request.path, request.body, request.headers, client.agent)
      .then((response) => {
        const now = performance.now();
        const pauseSeconds = busyPause(response.status, response.retryAfter);
        if (pauseSeconds !== undefined) {
          // Nothing was applied: the same writes go again, with the same ids, after the pause.
          result.refused += 1;
          client.pending.unshift(...batch);
          client.nextMutationId = firstId;
          client.notBefore = now + pauseSeconds * 1000;
          return;
        }
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
        // What was written meanwhile goes at once, as a sync client sends its outbox.
        if (client.pending.length > 0 && client.notBefore <= performance.now()) send(client);
      });
  };

  const drainDeadline = end + options.drainMs;
  for (;;) {
    const now = performance.now();
    let busy = false;
    let nextDue = Number.POSITIVE_INFINITY;
    for (const client of clients) {
      while (client.nextDue <= now && client.nextDue < end) {
        const record = makeRecord(`${client.clientId}-`, client.written++, options.valueBytes);
        client.pending.push({ record, due: client.nextDue });
        result.generated += 1;
        client.nextDue += intervalMs;
      }
      if (!client.inFlight && client.pending.length > 0 && client.notBefore <= now) send(client);
      busy ||= client.inFlight || client.pending.length > 0;
      if (client.nextDue < end) nextDue = Math.min(nextDue, client.nextDue);
    }
    if (now >= end && !busy) break;
    if (now >= drainDeadline) {
      result.errors.push('the last acknowledgements did not arrive in time');
      break;
    }
    // Wake when the next write is due (timers fire at 1 ms at the finest), so no write waits
    // for a tick of the generator; at least every 5 ms for pauses and the drain.
    const wait = Math.min(5, Math.max(0, nextDue - performance.now()));
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
  result.elapsedMs = lastAck - start;
  for (const client of clients) client.agent.destroy();
  return result;
}

/** The pause a busy server asked for, in seconds; undefined for any other answer. */
function busyPause(status: number, retryAfter: string | undefined): number | undefined {
  if ((status !== 503 && status !== 429) || retryAfter === undefined) return undefined;
  const seconds = Number(retryAfter);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}
