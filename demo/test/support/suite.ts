/** What every end-to-end test file of the demo starts once and stops after its tests. */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from './browser.ts';
import { type DemoServer, type DemoServerOptions, startDemoServer } from './demo-server.ts';

export interface DemoSuite {
  /** Set once the file's `beforeAll` hooks have run. */
  readonly server: DemoServer;
  readonly browser: Browser;
}

export function demoSuite(options: DemoServerOptions = {}): DemoSuite {
  const running = {} as { server: DemoServer; browser: Browser };
  beforeAll(async () => {
    [running.server, running.browser] = await Promise.all([
      startDemoServer(options),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await running.browser?.close();
    await running.server?.stop();
  });
  return running;
}
