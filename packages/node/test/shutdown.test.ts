/**
 * closeOnSignals: a run in flight finishes within the grace period, or is aborted after
 * it, and the client ends closed either way. The signals are emitted in-process; the
 * agent's end-to-end test sends real ones. The grace period runs on Node's own timers, as
 * it does in a real process; nothing here depends on how long it takes, only on the order.
 */
import {
  createClient,
  createMemoryStore,
  type FerryClient,
  inspectStore,
  type Store,
} from '@ferry/client';
import { closeOnSignals } from '@ferry/node';
import { describe, expect, it } from 'vitest';

/** A pull endpoint that answers when released. */
function heldServer() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let arrived!: () => void;
  const arrival = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const fetch: typeof globalThis.fetch = async (_input, init) => {
    arrived();
    await Promise.race([
      released,
      new Promise((_, reject) =>
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
      ),
    ]);
    return Response.json({ changes: [], cursor: 'c', hasMore: false, lastMutationId: 0 });
  };
  return { fetch, release, arrival };
}

function open(fetch: typeof globalThis.fetch): { client: FerryClient; store: Store } {
  const store = createMemoryStore();
  const client = createClient({
    url: 'https://ferry.test',
    store,
    fetch,
    schedule: { triggers: ['start'] },
  });
  return { client, store };
}

/** The runs the store keeps, oldest first: a closed client answers nothing more. */
async function runsIn(store: Store) {
  return [...(await inspectStore(store)).runs.entries].reverse();
}

describe('closeOnSignals', () => {
  it('lets the run in flight finish within the grace period, then closes', async () => {
    const server = heldServer();
    const { client, store } = open(server.fetch);
    await server.arrival;
    const signals: string[] = [];
    const handling = closeOnSignals(client, {
      signals: ['SIGUSR2'],
      graceMs: 10_000,
      onSignal: (s) => signals.push(s),
    });
    process.emit('SIGUSR2', 'SIGUSR2');
    server.release();
    expect(await handling.stopped).toBe('SIGUSR2');
    handling.dispose();
    expect(signals).toEqual(['SIGUSR2']);
    expect(client.getStatus().state).toBe('stopped');
    expect((await runsIn(store)).map((r) => r.outcome)).toEqual(['success']);
  });

  it('aborts a run that outlasts the grace period, keeping its record', async () => {
    const server = heldServer();
    const { client, store } = open(server.fetch);
    await server.arrival;
    const handling = closeOnSignals(client, { signals: ['SIGUSR2'], graceMs: 10 });
    process.emit('SIGUSR2', 'SIGUSR2');
    await handling.stopped;
    handling.dispose();
    expect((await runsIn(store)).map((r) => [r.outcome, r.abortReason])).toEqual([
      ['aborted', 'closed'],
    ]);
  });
});
