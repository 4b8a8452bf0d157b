import { playwright } from '@vitest/browser-playwright';
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './test/support/chromium.ts';

/** Ferry's packages resolve to their TypeScript sources in tests (see each package.json). */
const SOURCE_CONDITION = '@ferry/source';

export default defineConfig({
  // One TypeScript configuration for every file the tests load: the nearest one would do,
  // but the Expo example's extends Expo's own, which only the example's install provides.
  tsconfig: 'tsconfig.json',
  resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions] } },
  test: {
    globalSetup: ['test/support/build-packages.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: [
            'packages/*/test/**/*.test.ts',
            'test/**/*.test.ts',
            'examples/test/**/*.test.ts',
            'examples/expo/test/**/*.test.ts',
            'demo/test/**/*.test.ts',
          ],
          exclude: ['packages/browser/test/browser/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'chromium',
          include: ['packages/browser/test/browser/**/*.test.ts'],
          // A real Ferry server for the tests that sync (inject('ferryServerUrl')).
          globalSetup: ['packages/browser/test/support/ferry-server.ts'],
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({
              launchOptions: {
                executablePath: CHROMIUM_PATH,
                args: CHROMIUM_ARGS,
              },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
