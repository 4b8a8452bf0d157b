/** Progress lines on stderr, each with the time since the run began, so a long run shows it is alive. */
const started = performance.now();
let quiet = false;

export function setQuiet(value: boolean): void {
  quiet = value;
}

export function progress(message: string): void {
  if (quiet) return;
  const seconds = ((performance.now() - started) / 1000).toFixed(1).padStart(7);
  process.stderr.write(`[${seconds}s] ${message}\n`);
}
