/** What the orchestrator passes to a page's bench function, and what it gets back. */
export interface PageTarget {
  url: string;
  credential: string;
  space: string;
}

export interface PullResult {
  /** Milliseconds from the start of the pull until every record was in IndexedDB. */
  ms: number;
  /** Records in IndexedDB afterwards. */
  count: number;
}

export interface BootResult {
  /** `performance.now()` when the app started and when its first sync had finished. */
  startedAt: number;
  endedAt: number;
  count: number;
}

export interface LongTask {
  startTime: number;
  duration: number;
}

/** A click the page handled: its input event's time stamp and the delay until the handler ran. */
export interface HandledClick {
  timeStamp: number;
  latency: number;
}

declare global {
  interface Window {
    benchLongTasks?: LongTask[];
    benchClicks?: HandledClick[];
    benchPull?: (target: PageTarget) => Promise<PullResult>;
    benchBoot?: (target: PageTarget, inWorker: boolean) => Promise<BootResult>;
  }
}
