import type { Queryable } from '../db/driver.ts';

export interface ClientRow {
  clientId: string;
  userId: string;
  lastMutationId: number;
}

/**
 * Registers client ids to `userId` where they are new, and returns every named client's
 * owner and last processed mutation id. The first user to use a client id owns it.
 */
export async function claimClients(
  db: Queryable,
  clientIds: readonly string[],
  userIds: readonly string[],
): Promise<Map<string, ClientRow>> {
  await db.query(
    `INSERT INTO ferry_clients (client_id, user_id)
     SELECT * FROM unnest($1::text[], $2::text[])
     ON CONFLICT (client_id) DO NOTHING`,
    [clientIds, userIds],
  );
  const rows = await db.query<{
    client_id: string;
    user_id: string;
    last_mutation_id: string | number;
  }>(
    'SELECT client_id, user_id, last_mutation_id FROM ferry_clients WHERE client_id = ANY($1::text[])',
    [clientIds],
  );
  return new Map(
    rows.map((r) => [
      r.client_id,
      { clientId: r.client_id, userId: r.user_id, lastMutationId: Number(r.last_mutation_id) },
    ]),
  );
}
