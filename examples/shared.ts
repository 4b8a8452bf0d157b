/** What every example returns when started, and how an example runs from the command line. */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';

/**
 * The secret an example signs its tokens with: FERRY_JWT_SECRET when it is set, otherwise a
 * new random one for this run. Never a fixed string: a secret written in a public example is
 * a secret anyone can sign tokens with, for any user. A random one means tokens end with
 * the process, which is what an example wants.
 */
export function exampleSecret(env: NodeJS.ProcessEnv = process.env): string {
  return env.FERRY_JWT_SECRET ?? randomBytes(32).toString('base64url');
}

export interface RunningExample {
  /** Base URL of the app. */
  url: string;
  /** The URL a Ferry client uses: the app's URL plus the path Ferry is mounted under. */
  syncUrl: string;
  close(): Promise<void>;
}

/** Starts the example when its file is run directly (`npx tsx examples/…/server.ts`). */
export function runIfMain(moduleUrl: string, start: () => Promise<RunningExample>): void {
  if (process.argv[1] && moduleUrl === pathToFileURL(process.argv[1]).href) {
    start().then(
      (app) => {
        console.log(`Listening on ${app.url}; Ferry clients use url: '${app.syncUrl}'`);
        const stop = () => void app.close().then(() => process.exit(0));
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      },
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  }
}

export function addressOf(server: { address(): unknown }): string {
  const { port } = server.address() as { port: number };
  return `http://127.0.0.1:${port}`;
}
