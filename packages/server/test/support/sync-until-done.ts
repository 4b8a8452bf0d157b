import type { FerryClient } from '@ferry/client';

/**
 * Syncs until a sync succeeds with nothing left to push, retrying after failures (the
 * server or database being down) every 100 ms, as an app would keep its client running.
 */
export async function syncUntilDone(client: FerryClient): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    try {
      await client.sync();
      if (client.getStatus().pendingCount === 0) return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('client never finished syncing');
}
