/**
 * Spaces from the app's own data: every team is a space (`team:<name>`), and who belongs
 * to it lives in the app's `team_members` table, in the same database as Ferry's. Tokens
 * only say who the user is; `resolveSpaces` reads the membership (cached for a short time,
 * and dropped at once when the app changes it), and `beforeWrite` lets only editors write,
 * reading the role inside the write's own transaction.
 */
import {
  createFerryServer,
  createJwtAuth,
  createLogger,
  createPGliteDatabase,
  type Database,
  listen,
} from '@ferry/server';
import { exampleSecret, type RunningExample, runIfMain } from '../shared.ts';

export interface TeamExample extends RunningExample {
  token(user: string): Promise<string>;
  /** The app adds a member (e.g. from its admin screen). */
  addMember(team: string, user: string, role: 'viewer' | 'editor'): Promise<void>;
}

const TEAM_PREFIX = 'team:';

export async function startTeamExample(port = 0, database?: Database): Promise<TeamExample> {
  const db = database ?? (await createPGliteDatabase());
  await db.query(`CREATE TABLE IF NOT EXISTS team_members (
    team text NOT NULL, user_id text NOT NULL, role text NOT NULL, PRIMARY KEY (team, user_id))`);

  const auth = await createJwtAuth({
    secret: exampleSecret(),
    resolveSpaces: async ({ userId }) => {
      const rows = await db.query<{ team: string }>(
        'SELECT team FROM team_members WHERE user_id = $1',
        [userId],
      );
      return [userId, ...rows.map((r) => TEAM_PREFIX + r.team)];
    },
    spacesCache: { ttlMs: 30_000, maxEntries: 50_000 },
  });

  const ferry = await createFerryServer({
    database: db,
    auth,
    logger: createLogger('warn'),
    rules: {
      async beforeWrite(ctx, write) {
        if (!write.space.startsWith(TEAM_PREFIX) || ctx.origin === 'server') return undefined;
        const [member] = await ctx.db.query<{ role: string }>(
          'SELECT role FROM team_members WHERE team = $1 AND user_id = $2',
          [write.space.slice(TEAM_PREFIX.length), ctx.userId],
        );
        return member?.role === 'editor'
          ? undefined
          : { reject: 'only editors of the team may change it', code: 'forbidden' };
      },
    },
  });
  const http = await listen(ferry, { port });
  return {
    url: http.url,
    syncUrl: http.url,
    token: (user) => ferry.signToken({ userId: user }, 3600),
    async addMember(team, user, role) {
      await db.query(
        `INSERT INTO team_members (team, user_id, role) VALUES ($1, $2, $3)
         ON CONFLICT (team, user_id) DO UPDATE SET role = excluded.role`,
        [team, user, role],
      );
      auth.invalidateSpaces(user);
    },
    async close() {
      await http.close();
      if (!database) await db.close();
    },
  };
}

runIfMain(import.meta.url, () => startTeamExample(Number(process.env.PORT ?? 3000)));
