/**
 * One sync leader per store (I6) in real Chromium: Web Locks, BroadcastChannel and
 * IndexedDB. Several hosts and connections in one page stand for several tabs: the lock and
 * the channel work per origin, not per page. No server is needed: the engines only read and
 * write locally (their scheduler is off), which is what leadership governs.
 */
import {
  connectFerry,
  type FerryHost,
  FerryLeaderUnavailableError,
  type HostOptions,
  hostFerry,
} from '@ferry/browser';
import type { FerryClient } from '@ferry/client';
import { afterEach, describe, expect, it } from 'vitest';

const run = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
let n = 0;
const freshName = () => `ferry-lead-${run}-${++n}`;

const opened: Array<FerryHost | FerryClient> = [];
afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await item.close();
});

function host(name: string, extra: Partial<HostOptions> = {}): FerryHost {
  const created = hostFerry({
    name,
    // Nothing listens there: these engines never reach a server, and need not.
    url: 'http://127.0.0.1:9/',
    defaultSpace: 'me',
    schedule: { triggers: [] },
    leaderTimeoutMs: 400,
    ...extra,
  });
  opened.push(created);
  return created;
}

function connect(name: string, extra: { ackTimeoutMs?: number } = {}) {
  const client = connectFerry<{ todos: { text: string } }>({
    name,
    defaultSpace: 'me',
    backgroundSyncTag: false,
    ...extra,
  });
  opened.push(client);
  return client;
}

async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('one leader per store', () => {
  it('elects exactly one of several hosts, and every connection reads and writes through it', async () => {
    const name = freshName();
    const hosts = [host(name), host(name), host(name)];
    await until(() => hosts.some((h) => h.leading), 'a leader');
    // The lock is exclusive: sampled repeatedly, never two leaders at once.
    for (let i = 0; i < 20; i++) {
      expect(hosts.filter((h) => h.leading)).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }

    const tabA = connect(name);
    const tabB = connect(name);
    await tabA.collection('todos').put('t1', { text: 'from A' });
    expect(await tabB.collection('todos').get('t1')).toEqual({ text: 'from A' });
    expect(await tabA.getClientId()).toBe(await tabB.getClientId());
  });

  it('shows every connection the same status and live queries', async () => {
    const name = freshName();
    host(name);
    const tabA = connect(name);
    const tabB = connect(name);
    const seenByB: string[][] = [];
    tabB.collection('todos').subscribe((rows) => seenByB.push(rows.map((r) => r.value.text)));

    await tabA.collection('todos').put('t1', { text: 'one' });
    await until(() => seenByB.at(-1)?.join() === 'one', 'B to see the write');
    await until(() => tabB.getStatus().pendingCount === 1, 'B to see one pending write');
    expect(tabA.getStatus().pendingCount).toBe(1);
  });

  it('hands leadership over when the leader closes, keeping every write', async () => {
    const name = freshName();
    const first = host(name);
    await until(() => first.leading, 'the first host to lead');
    const second = host(name);
    const tab = connect(name);
    await tab.collection('todos').put('t1', { text: 'before' });

    await first.close();
    await until(() => second.leading, 'the second host to lead');
    expect(await tab.collection('todos').get('t1')).toEqual({ text: 'before' });
    await tab.collection('todos').put('t2', { text: 'after' });
    expect((await tab.collection('todos').query()).map((r) => r.key)).toEqual(['t1', 't2']);
    await until(() => tab.getStatus().pendingCount === 2, 'both writes pending');
  });

  it('takes over from a leader that holds the lock but does not answer, as a frozen tab would', async () => {
    const name = freshName();
    // The "frozen tab": holds the store's lock and never answers anything.
    let frozenLost: unknown;
    const frozen = navigator.locks
      .request(`ferry:${name}`, () => new Promise<never>(() => {}))
      .catch((error: unknown) => {
        frozenLost = error;
      });
    await until(() => true, 'the lock to be taken');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const contender = host(name, { leaderTimeoutMs: 300 });
    const tab = connect(name);

    await tab.collection('todos').put('t1', { text: 'written while the leader was frozen' });
    expect(contender.leading).toBe(true);
    await frozen;
    expect((frozenLost as DOMException).name).toBe('AbortError');
    expect(await tab.collection('todos').get('t1')).toEqual({
      text: 'written while the leader was frozen',
    });
  });

  it('runs a request sent twice (after a hand-over) only once', async () => {
    const name = freshName();
    const leader = host(name);
    await until(() => leader.leading, 'a leader');
    const tab = connect(name);
    await tab.getClientId();
    const channel = new BroadcastChannel(`ferry:${name}`);
    const request = {
      type: 'request',
      id: 'test-connection.1',
      from: 'test-connection',
      call: {
        method: 'write',
        write: { space: 'me', collection: 'todos', key: 'k', op: 'put', value: { text: 'x' } },
      },
    };
    const responses: unknown[] = [];
    channel.onmessage = (event) => {
      if (event.data.type === 'response' && event.data.id === request.id) responses.push(event);
    };
    channel.postMessage(request);
    channel.postMessage(request);
    await until(() => responses.length >= 1, 'the response');
    await new Promise((resolve) => setTimeout(resolve, 100));
    channel.close();
    expect(responses).toHaveLength(1);
    await until(() => tab.getStatus().pendingCount === 1, 'one pending write');
    expect(tab.getStatus().pendingCount).toBe(1);
  });

  it('rejects with FerryLeaderUnavailableError when asked to, and nobody hosts the store', async () => {
    const tab = connect(freshName(), { ackTimeoutMs: 200 });
    await expect(tab.sync()).rejects.toBeInstanceOf(FerryLeaderUnavailableError);
  });

  it('passes write errors back as the class a local client throws', async () => {
    const name = freshName();
    host(name);
    const tab = connect(name);
    await expect(tab.collection('todos').put('', { text: 'no key' })).rejects.toMatchObject({
      name: 'FerryValidationError',
    });
  });
});
