/**
 * Waking closed apps: after a commit, each subscription of a user who can read one of the
 * changed spaces gets an encrypted Web Push message `{"type":"poke","version":n}` (VAPID,
 * RFC 8291/8292, via the `web-push` library), at most once per subscription per window.
 * Commits that follow within `gatherMs` (200 ms) share one claim and one message.
 * The push service's 404/410 ("this subscription is gone") deletes the subscription.
 */
import webpush from 'web-push';
import type { Database } from '../db/driver.ts';
import type { Logger } from '../logger.ts';
import type { ServerMetrics } from '../metrics.ts';
import {
  claimSubscriptionsToNotify,
  deleteSubscription,
  type PushSubscriptionRow,
  type VapidKeys,
} from '../storage/push-subscriptions.ts';

export interface WebPushSettings {
  /** `mailto:` or `https:` contact for push services (VAPID `sub`). */
  subject: string;
  /** At most one message per subscription per window; default 30 000. */
  minIntervalMs: number;
  /** How long a push service keeps an undelivered message; default 3600. */
  ttlSeconds: number;
  /** Most messages sent at once. */
  concurrency: number;
  /** Commits within this many ms of the first share one claim and message (the newest version). */
  gatherMs: number;
}

export interface WebPushSender {
  /** Called after a commit; sends in the background, with the commits of the next `gatherMs`. */
  notify(spaces: ReadonlySet<string>, version: number): void;
  /** Sends what is gathered now and waits for sends in flight. */
  idle(): Promise<void>;
}

export function createWebPushSender(options: {
  database: Database;
  keys: VapidKeys;
  settings: WebPushSettings;
  logger: Logger;
  metrics: ServerMetrics;
  fetch?: typeof fetch;
}): WebPushSender {
  const { database, keys, settings, logger, metrics } = options;
  const send = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const inFlight = new Set<Promise<void>>();

  async function deliver(subscription: PushSubscriptionRow, payload: string): Promise<void> {
    const details = webpush.generateRequestDetails(
      {
        endpoint: subscription.endpoint,
        keys: { p256dh: subscription.p256dh, auth: subscription.auth },
      },
      payload,
      {
        vapidDetails: {
          subject: settings.subject,
          publicKey: keys.publicKey,
          privateKey: keys.privateKey,
        },
        TTL: settings.ttlSeconds,
        contentEncoding: 'aes128gcm',
      },
    );
    try {
      const response = await send(details.endpoint, {
        method: 'POST',
        headers: details.headers as Record<string, string>,
        body: details.body === null ? null : new Uint8Array(details.body),
        signal: AbortSignal.timeout(10_000),
      });
      await response.body?.cancel();
      if (response.status === 404 || response.status === 410) {
        await deleteSubscription(database, subscription.endpoint);
        metrics.webPush.inc({ result: 'gone' });
      } else {
        metrics.webPush.inc({ result: response.ok ? 'sent' : 'failed' });
        if (!response.ok)
          logger.warn(
            { status: response.status, endpoint: subscription.endpoint },
            'push service refused a message',
          );
      }
    } catch (error) {
      metrics.webPush.inc({ result: 'failed' });
      logger.warn({ err: error, endpoint: subscription.endpoint }, 'sending a push message failed');
    }
  }

  async function run(spaces: ReadonlySet<string>, version: number): Promise<void> {
    const due = await claimSubscriptionsToNotify(database, [...spaces], settings.minIntervalMs);
    const payload = JSON.stringify({ type: 'poke', version });
    for (let i = 0; i < due.length; i += settings.concurrency) {
      await Promise.all(due.slice(i, i + settings.concurrency).map((s) => deliver(s, payload)));
    }
  }

  // Commits gathered for one claim: without this every commit would pay a statement of its
  // own, even where nobody has subscribed, and a message that takes a push service seconds
  // to deliver loses nothing by waiting a fraction of one.
  let gathered:
    | { spaces: Set<string>; version: number; timer: ReturnType<typeof setTimeout> }
    | undefined;
  function sendGathered(): void {
    const batch = gathered;
    if (!batch) return;
    gathered = undefined;
    clearTimeout(batch.timer);
    const task = run(batch.spaces, batch.version)
      .catch((error: unknown) => logger.warn({ err: error }, 'web push after commit failed'))
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  }

  return {
    notify(spaces, version) {
      gathered ??= {
        spaces: new Set(),
        version,
        timer: setTimeout(sendGathered, settings.gatherMs),
      };
      for (const space of spaces) gathered.spaces.add(space);
      gathered.version = Math.max(gathered.version, version);
    },
    async idle() {
      sendGathered();
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
  };
}

export function generateVapidKeys(): VapidKeys {
  return webpush.generateVAPIDKeys();
}
