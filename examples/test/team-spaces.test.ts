import { createClient, createMemoryStore, type RejectionEvent } from '@ferry/client';
import { describe, expect, it } from 'vitest';
import { startTeamExample } from '../team-spaces/server.ts';

describe('spaces from a team-membership table', () => {
  it('grants team spaces from the app’s data, lets only editors write, and follows membership changes', async () => {
    const app = await startTeamExample();
    try {
      await app.addMember('rockets', 'ann', 'editor');
      await app.addMember('rockets', 'bob', 'viewer');
      const open = async (user: string) => {
        const token = await app.token(user);
        const rejections: RejectionEvent[] = [];
        const client = createClient<{ plans: { step: string } }>({
          url: app.syncUrl,
          store: createMemoryStore(),
          getToken: () => token,
          defaultSpace: 'team:rockets',
        });
        client.on('rejected', (r) => rejections.push(r));
        return { client, rejections };
      };
      const ann = await open('ann');
      const bob = await open('bob');
      const carol = await open('carol');

      await ann.client.collection('plans').put('p1', { step: 'design' });
      await ann.client.sync();
      await bob.client.collection('plans').put('p2', { step: 'sneaky' });
      await bob.client.sync();
      expect(bob.rejections.map((r) => r.code)).toEqual(['forbidden']);
      expect((await bob.client.collection('plans').query()).map((r) => r.key)).toEqual(['p1']);

      // Carol is not in the team: she sees none of it, and her write to it is refused.
      await carol.client.collection('plans').put('p3', { step: 'uninvited' });
      await carol.client.sync();
      expect(carol.rejections.map((r) => r.code)).toEqual(['forbidden']);
      expect(await carol.client.collection('plans').get('p1')).toBeUndefined();
      // Once the app adds her, her next sync brings the team's plans.
      await app.addMember('rockets', 'carol', 'editor');
      await carol.client.sync();
      expect(await carol.client.collection('plans').get('p1')).toEqual({ step: 'design' });

      await Promise.all([ann.client.close(), bob.client.close(), carol.client.close()]);
    } finally {
      await app.close();
    }
  });
});
