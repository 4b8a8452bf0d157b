/**
 * `ferry serve` flags for Web Push beyond the VAPID settings: which push services'
 * endpoints are accepted, and how many subscriptions one user keeps. Pure, like the rest
 * of the configuration.
 */
import { FerryConfigError } from '../errors.ts';
import { DEFAULT_PUSH_ENDPOINT_HOSTS, hostPatternMatcher } from '../web-push/endpoints.ts';
import { DEFAULT_MAX_SUBSCRIPTIONS_PER_USER } from '../web-push/options.ts';

export interface WebPushConfig {
  push: {
    /** Host names accepted as endpoints (`webPush.allowEndpoint`); the browsers' push services when not given. */
    endpointHosts: string[] | undefined;
    /** `webPush.maxSubscriptionsPerUser`; the server's default when not given. */
    subscriptionsPerUser: number | undefined;
  };
}

/** The flags, for `parseArgs`. */
export const WEB_PUSH_FLAGS = {
  'push-endpoint-hosts': { type: 'string' },
  'push-subscriptions-per-user': { type: 'string' },
} as const;

const INDENT = ' '.repeat(24);

/** The default hosts, wrapped to the help's width. */
function defaultHostLines(): string {
  const lines: string[] = [];
  let line = '';
  for (const host of DEFAULT_PUSH_ENDPOINT_HOSTS) {
    const next = line === '' ? host : `${line}, ${host}`;
    if (next.length > 64 && line !== '') {
      lines.push(`${line},`);
      line = host;
    } else line = next;
  }
  lines.push(`${line})`);
  return lines.map((l) => `${INDENT}${l}`).join('\n');
}

export const WEB_PUSH_HELP = `  --push-endpoint-hosts <host,…>
                        push services whose subscription endpoints are accepted: host names,
                        *.example.com for any subdomain, host:port for another port
                        [FERRY_PUSH_ENDPOINT_HOSTS] (default the browsers' own:
${defaultHostLines()}
  --push-subscriptions-per-user <n>
                        Web Push subscriptions one user keeps; one more drops their least
                        recently subscribed [FERRY_PUSH_SUBSCRIPTIONS_PER_USER] (default ${DEFAULT_MAX_SUBSCRIPTIONS_PER_USER})
`;

function hosts(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const list = text
    .split(',')
    .map((host) => host.trim())
    .filter((host) => host !== '');
  if (list.length === 0)
    throw new FerryConfigError(
      '--push-endpoint-hosts',
      '--push-endpoint-hosts must name at least one host, e.g. fcm.googleapis.com,*.push.apple.com; leave it out for the browsers’ push services.',
    );
  // Refuses what is not a host name now, naming the flag.
  hostPatternMatcher(list, '--push-endpoint-hosts');
  return list;
}

function subscriptions(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1)
    throw new FerryConfigError(
      '--push-subscriptions-per-user',
      `--push-subscriptions-per-user must be a whole number of at least 1, got "${text}"`,
    );
  return value;
}

/** Reads the Web Push flags; `text` gives a flag's value, or its environment variable's. */
export function parseWebPush(
  text: (flag: string, variable: string) => string | undefined,
): WebPushConfig {
  return {
    push: {
      endpointHosts: hosts(text('push-endpoint-hosts', 'FERRY_PUSH_ENDPOINT_HOSTS')),
      subscriptionsPerUser: subscriptions(
        text('push-subscriptions-per-user', 'FERRY_PUSH_SUBSCRIPTIONS_PER_USER'),
      ),
    },
  };
}
