/**
 * How the browser tests start Debian's Chromium: its path (CHROMIUM_PATH overrides) and
 * the flags that let it run headless as root in a container with no outside network.
 * Without the background-networking flags it keeps trying to reach Google's hosts.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
