import { describe, expect, it, vi } from 'vitest';
import { createEmitter } from '../src/emitter.ts';
import { createMutex } from '../src/mutex.ts';
import { createStatusHolder, describeError, INITIAL_STATUS } from '../src/status.ts';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('mutex', () => {
  it('runs tasks one at a time in the order they were queued, even when one fails', async () => {
    const mutex = createMutex();
    const log: string[] = [];
    const first = deferred<void>();
    const a = mutex.run(async () => {
      log.push('a start');
      await first.promise;
      log.push('a end');
    });
    const b = mutex.run(async () => {
      log.push('b');
      throw new Error('b failed');
    });
    const c = mutex.run(async () => {
      log.push('c');
      return 3;
    });
    await Promise.resolve();
    expect(log).toEqual(['a start']);
    first.resolve();
    await a;
    await expect(b).rejects.toThrow('b failed');
    expect(await c).toBe(3);
    expect(log).toEqual(['a start', 'a end', 'b', 'c']);
    await mutex.idle();
  });
});

describe('mutex reads', () => {
  const tick = () => new Promise((resolve) => setImmediate(resolve));

  it('runs reads together, beside no commit, and waits for none queued behind the running one', async () => {
    const mutex = createMutex();
    const log: string[] = [];
    const commitA = deferred<void>();
    const commitB = deferred<void>();
    const a = mutex.run(async () => {
      log.push('a start');
      await commitA.promise;
      log.push('a end');
    });
    const b = mutex.run(async () => {
      log.push('b start');
      await commitB.promise;
      log.push('b end');
    });
    const readsHeld = deferred<void>();
    const reads = [1, 2].map((n) =>
      mutex.read(async () => {
        log.push(`read ${n} start`);
        await readsHeld.promise;
        log.push(`read ${n} end`);
        return n;
      }),
    );
    await tick();
    expect(log).toEqual(['a start']);
    commitA.resolve();
    await a;
    await tick();
    // Both reads run together once the running commit ended, before the queued one.
    expect(log).toEqual(['a start', 'a end', 'read 1 start', 'read 2 start']);
    readsHeld.resolve();
    expect(await Promise.all(reads)).toEqual([1, 2]);
    await tick();
    expect(log.slice(4)).toEqual(['read 1 end', 'read 2 end', 'b start']);
    commitB.resolve();
    await b;
    await mutex.idle();
  });

  it('lets a commit queued while reads run go before the reads that arrive after it', async () => {
    const mutex = createMutex();
    const log: string[] = [];
    const firstRead = deferred<void>();
    const early = mutex.read(async () => {
      log.push('early read start');
      await firstRead.promise;
      log.push('early read end');
    });
    await tick();
    const commit = mutex.run(async () => {
      log.push('commit');
    });
    const late = mutex.read(async () => {
      log.push('late read');
    });
    await tick();
    expect(log).toEqual(['early read start']);
    firstRead.resolve();
    await Promise.all([early, commit, late]);
    expect(log).toEqual(['early read start', 'early read end', 'commit', 'late read']);
  });

  it('passes a failed read on and stays usable; idle waits for reads and commits', async () => {
    const mutex = createMutex();
    const failed = mutex.read(async () => {
      throw new Error('store read failed');
    });
    await expect(failed).rejects.toThrow('store read failed');
    let done = 0;
    const held = deferred<void>();
    void mutex.read(async () => {
      await held.promise;
      done++;
    });
    void mutex.run(async () => {
      done++;
    });
    let idle = false;
    const idling = mutex.idle().then(() => {
      idle = true;
    });
    await tick();
    expect(idle).toBe(false);
    held.resolve();
    await idling;
    expect(done).toBe(2);
  });
});

describe('emitter', () => {
  it('delivers to every listener, isolates one that throws, and unsubscribes', () => {
    const errors: unknown[] = [];
    const emitter = createEmitter<{ ping: number }>((error) => errors.push(error));
    const seen: number[] = [];
    const off = emitter.on('ping', (n) => seen.push(n));
    emitter.on('ping', () => {
      throw new Error('listener bug');
    });
    emitter.on('ping', (n) => seen.push(n * 10));
    emitter.emit('ping', 1);
    off();
    emitter.emit('ping', 2);
    expect(seen).toEqual([1, 10, 20]);
    expect(errors).toHaveLength(2);
    expect(emitter.listenerCount('ping')).toBe(2);
  });

  it('treats the same function subscribed twice as two subscriptions', () => {
    const emitter = createEmitter<{ ping: number }>(() => {});
    const listener = vi.fn();
    const off = emitter.on('ping', listener);
    emitter.on('ping', listener);
    off();
    emitter.emit('ping', 1);
    expect(listener).toHaveBeenCalledTimes(1);
  });
});

describe('status holder', () => {
  it('publishes a new frozen snapshot only when a value changes', () => {
    const published: unknown[] = [];
    const status = createStatusHolder((s) => published.push(s));
    const first = status.get();
    status.update({ state: 'idle', pendingCount: 0 });
    expect(status.get()).toBe(first);
    status.update({ state: 'syncing' });
    expect(status.get()).not.toBe(first);
    expect(status.get()).toEqual({ ...INITIAL_STATUS, state: 'syncing' });
    expect(Object.isFrozen(status.get())).toBe(true);
    expect(published).toHaveLength(1);
  });

  it('describes errors with their code and a phrase for people', () => {
    expect(describeError(Object.assign(new Error('x'), { code: 'forbidden' }))).toEqual({
      code: 'forbidden',
      message: 'x',
      userMessage: "You don't have access to this data",
    });
    expect(describeError('plain')).toEqual({
      code: 'unknown',
      message: 'plain',
      userMessage: 'Something went wrong while syncing — trying again',
    });
  });
});
