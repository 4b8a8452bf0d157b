/**
 * Waking closed apps: after a commit, each subscription of a user who can read one of the
 * changed spaces gets an encrypted Web Push message `{"type":"poke","version":n}` (VAPID,
 * RFC 8291/8292, built by the `web-push` library, sent by transport.ts), at most once per
 * subscription per window. Commits that follow within `gatherMs` (200 ms) share one claim
 * and one message.
 *
 * Each subscription is delivered on its own: one that fails is logged, counted and
 * skipped, never stopping the others. One that can never work is deleted: the push
 * service's 404/410 ("this subscription is gone"), keys that are not a P-256 point and a
 * secret, or an endpoint the server no longer accepts (stored before a narrower
 * `allowEndpoint`). One whose host now resolves to a non-public address is refused before
 * connecting and kept, counted as `refused`.
 */

import webpush from 'web-push';
import { createCommitGatherer, sendEach } from '../commit-gatherer.ts';
import type { Database } from '../db/driver.ts';
import type { Logger } from '../logger.ts';
import type { ServerMetrics } from '../metrics.ts';
import {
  claimSubscriptionsToNotify,
  deleteSubscription,
  type PushSubscriptionRow,
  type VapidKeys,
} from '../storage/push-subscriptions.ts';
import { type EndpointPolicy, EndpointRefusedError } from './endpoints.ts';
import { authProblem, p256dhProblem } from './keys.ts';
import type { PushTransport } from './transport.ts';

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
  /** `idle()`, then closes the connections kept to push services. */
  close(): Promise<void>;
}

export function createWebPushSender(options: {
  database: Database;
  keys: VapidKeys;
  settings: WebPushSettings;
  endpoints: EndpointPolicy;
  transport: PushTransport;
  logger: Logger;
  metrics: ServerMetrics;
}): WebPushSender {
  const { database, keys, settings, endpoints, transport, logger, metrics } = options;

  async function forget(subscription: PushSubscriptionRow, reason: string): Promise<void> {
    await deleteSubscription(database, subscription.endpoint);
    metrics.webPush.inc({ result: 'gone' });
    logger.info({ endpoint: subscription.endpoint, reason }, 'deleted a push subscription');
  }

  /** Sends one message; settles without throwing, whatever happens to it. */
  async function deliver(subscription: PushSubscriptionRow, payload: string): Promise<void> {
    try {
      if (!URL.canParse(subscription.endpoint)) {
        await forget(subscription, 'the endpoint is not a URL');
        return;
      }
      const endpoint = new URL(subscription.endpoint);
      // Stored by an older server or under other options, it may no longer pass.
      const unusable =
        endpoints.refusal(endpoint) ??
        p256dhProblem(subscription.p256dh) ??
        authProblem(subscription.auth);
      if (unusable !== undefined) {
        await forget(subscription, unusable);
        return;
      }
      const details = webpush.generateRequestDetails(
        {
          endpoint: endpoint.href,
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
      const status = await transport.post(endpoint, {
        headers: details.headers as Record<string, string | number>,
        body: details.body,
      });
      if (status === 404 || status === 410) {
        await forget(subscription, `the push service answered ${status}`);
      } else if (status >= 200 && status < 300) {
        metrics.webPush.inc({ result: 'sent' });
      } else {
        metrics.webPush.inc({ result: 'failed' });
        logger.warn(
          { status, endpoint: subscription.endpoint },
          status >= 300 && status < 400
            ? 'push service answered with a redirect, which is not followed'
            : 'push service refused a message',
        );
      }
    } catch (error) {
      if (error instanceof EndpointRefusedError) {
        metrics.webPush.inc({ result: 'refused' });
        logger.warn(
          { endpoint: subscription.endpoint, reason: error.message },
          'refused to send a push message to a non-public address',
        );
      } else {
        metrics.webPush.inc({ result: 'failed' });
        logger.warn(
          { err: error, endpoint: subscription.endpoint },
          'sending a push message failed',
        );
      }
    }
  }

  async function run(spaces: ReadonlySet<string>, version: number): Promise<void> {
    const due = await claimSubscriptionsToNotify(database, [...spaces], settings.minIntervalMs);
    const payload = JSON.stringify({ type: 'poke', version });
    await sendEach(due, settings.concurrency, (subscription) => deliver(subscription, payload));
  }

  const gatherer = createCommitGatherer({
    gatherMs: settings.gatherMs,
    send: run,
    logger,
    failureMessage: 'web push after commit failed',
  });

  return {
    notify: gatherer.notify,
    idle: gatherer.idle,
    async close() {
      await gatherer.idle();
      transport.close();
    },
  };
}

export function generateVapidKeys(): VapidKeys {
  return webpush.generateVAPIDKeys();
}
