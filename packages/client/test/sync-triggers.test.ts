/**
 * sync({ trigger }): a run asked for by a push message or by the OS records why it ran,
 * in the run it starts, in the run in flight it joins and in the run a failure sends it
 * on to; anything else is refused before a run is asked for.
 */
import { describe, expect, it } from 'vitest';
import { createClient, FerryConfigError } from '../src/index.ts';
import { createMemoryStore } from '../src/memory-store.ts';
import { BASE_URL } from './support/fake-server.ts';
import { settle, setup } from './support/harness.ts';

describe('sync({ trigger })', () => {
  it('records push and background runs as such, also after a restart', async () => {
    const { client, restart } = setup();
    const pushed = await client.sync({ trigger: 'push' });
    await client.sync({ trigger: 'background' });
    await client.sync();
    expect(pushed).toMatchObject({ pushed: 0, pulled: 0 });
    const triggers = [['push'], ['background'], ['manual']];
    expect((await client.history()).map((run) => run.triggers)).toEqual(triggers);
    await client.close();
    const reopened = restart();
    expect((await reopened.history()).map((run) => run.triggers)).toEqual(triggers);
    await reopened.close();
  });

  it('a push that arrives during a run carrying every write joins it, and the run records both', async () => {
    const { client, server } = setup();
    await client.collection('todos').put('t1', { title: 'milk' });
    const push = server.hold('push');
    const manual = client.sync();
    await push.arrived;
    const woken = client.sync({ trigger: 'push' });
    push.release();
    expect(await woken).toEqual(await manual);
    expect(server.countRequests('push')).toBe(1);
    expect((await client.history()).map((run) => run.triggers)).toEqual([['push', 'manual']]);
  });

  it('a push that joined a run late and saw it fail goes on to a run recorded as push', async () => {
    const { client, server } = setup();
    await client.collection('todos').put('t1', { title: 'milk' });
    const push = server.hold('push');
    server.failures.push({ route: 'push', status: 403, code: 'forbidden' });
    const manual = client.sync();
    await push.arrived;
    const woken = client.sync({ trigger: 'push' });
    push.release();
    await expect(manual).rejects.toThrow();
    expect(await woken).toMatchObject({ pushed: 1 });
    expect((await client.history()).map((run) => [run.triggers, run.outcome])).toEqual([
      [['push', 'manual'], 'failed'],
      [['push'], 'success'],
    ]);
  });

  it('refuses any other trigger or option with FerryConfigError, and asks for no run', async () => {
    const { client, server } = setup();
    const bad: Array<[unknown, RegExp]> = [
      [
        { trigger: 'poke' },
        /"poke" is not one of background, push, manual \('poke' is raised by the scheduler itself\)/,
      ],
      [{ trigger: 'local-change' }, /raised by the scheduler itself/],
      [{ trigger: 'wake' }, /"wake" is not one of background, push, manual\.$/],
      [{ trigger: 7 }, /7 is not one of/],
      [{ trigger: 'push', budgetMs: 5 }, /unknown option "budgetMs"/],
      ['push', /options must be an object such as \{ trigger: 'push' \}, got "push"/],
      [null, /got null/],
    ];
    for (const [options, message] of bad) {
      const call = client.sync(options as never);
      await expect(call).rejects.toThrow(FerryConfigError);
      await expect(call).rejects.toThrow(message);
    }
    await settle();
    expect(server.requests).toEqual([]);
    expect(await client.history()).toEqual([]);
    await client.close();
  });

  it('schedule.triggers refuses the requested triggers, saying they come from sync()', () => {
    const base = { url: BASE_URL, store: createMemoryStore(), getToken: () => 't' };
    for (const trigger of ['push', 'background', 'manual']) {
      const open = () => createClient({ ...base, schedule: { triggers: [trigger as never] } });
      expect(open).toThrow(FerryConfigError);
      expect(open).toThrow(
        `schedule.triggers: "${trigger}" is requested, not raised by the scheduler: it comes from sync({ trigger: '${trigger}' })`,
      );
    }
  });
});
