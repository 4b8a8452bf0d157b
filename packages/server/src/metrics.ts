/** Prometheus metrics, in a registry of this server's own so several servers can share a process. */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface ServerMetrics {
  registry: Registry;
  requests: Counter<'route' | 'method' | 'status'>;
  requestSeconds: Histogram<'route'>;
  mutations: Counter<'status'>;
  pulledChanges: Counter;
  pokes: Counter;
  eventStreams: Gauge;
  webPush: Counter<'result'>;
}

export interface MetricSources {
  poolStats?: (() => { total: number; idle: number; waiting: number }) | undefined;
  /** Mutations waiting for a group-commit transaction. */
  queuedMutations: () => number;
}

export function createMetrics(sources: MetricSources): ServerMetrics {
  const { poolStats, queuedMutations } = sources;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  new Gauge({
    name: 'ferry_push_queue_mutations',
    help: 'Mutations waiting for a group-commit transaction (client pushes are refused with 503 above limits.maxQueuedMutations)',
    registers,
    collect() {
      this.set(queuedMutations());
    },
  });
  if (poolStats) {
    new Gauge({
      name: 'ferry_db_pool_connections',
      help: 'Database pool connections by state (total, idle, waiting for one)',
      labelNames: ['state'],
      registers,
      collect() {
        const stats = poolStats();
        this.set({ state: 'total' }, stats.total);
        this.set({ state: 'idle' }, stats.idle);
        this.set({ state: 'waiting' }, stats.waiting);
      },
    });
  }
  return {
    registry,
    requests: new Counter({
      name: 'ferry_http_requests_total',
      help: 'HTTP requests by route, method and status',
      labelNames: ['route', 'method', 'status'],
      registers,
    }),
    requestSeconds: new Histogram({
      name: 'ferry_http_request_duration_seconds',
      help: 'HTTP request latency by route (event streams excluded)',
      labelNames: ['route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    mutations: new Counter({
      name: 'ferry_mutations_total',
      help: 'Pushed mutations by outcome (applied, duplicate, rejected)',
      labelNames: ['status'],
      registers,
    }),
    pulledChanges: new Counter({
      name: 'ferry_pulled_changes_total',
      help: 'Changes sent in pull responses',
      registers,
    }),
    pokes: new Counter({
      name: 'ferry_pokes_sent_total',
      help: 'Poke events written to event streams',
      registers,
    }),
    eventStreams: new Gauge({ name: 'ferry_event_streams', help: 'Open event streams', registers }),
    webPush: new Counter({
      name: 'ferry_web_push_messages_total',
      help: 'Web Push messages by result (sent, gone, failed, refused)',
      labelNames: ['result'],
      registers,
    }),
  };
}
