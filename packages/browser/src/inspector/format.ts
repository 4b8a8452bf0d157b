/** How the inspector writes times, ages and sizes: short, and the same in every table. */

/** "4 s", "3 min", "2 h", "5 d": rounded down to the largest whole unit. */
export function formatAge(ms: number): string {
  const s = Math.floor(Math.max(0, ms) / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Local time of day, to the second: what a developer compares with their clock. */
export function formatClock(at: number): string {
  return new Date(at).toLocaleTimeString(undefined, { hour12: false });
}

/** A moment relative to `now`: "in 4 s", "12 s ago". */
export function formatRelative(at: number, now: number): string {
  return at >= now ? `in ${formatAge(at - now)}` : `${formatAge(now - at)} ago`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
