import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import pg from 'pg';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { OperationalState } from '../modules/metrics/service.js';

export interface AppMetrics {
  registry: Registry;
  /** Sets the gauges read from the database for a scrape; null when the database did not answer. */
  recordState(state: OperationalState | null): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: AppMetrics;
  }
}

const UNROUTED = '(unrouted)';

function formatOf(reply: FastifyReply): string {
  const type = String(reply.getHeader('content-type') ?? '');
  if (type.startsWith('text/csv')) return 'csv';
  if (type.startsWith('application/x-ndjson')) return 'ndjson';
  return 'json';
}

/**
 * Prometheus metrics, in a registry of this app's own: tests build many apps in one process, and
 * prom-client's global registry would refuse a metric registered twice. Requests are labelled by
 * route pattern, never by raw URL, so the number of series stays bounded whatever clients send.
 */
export default fp(
  async (app) => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const registers = [registry];

    const requestDuration = new Histogram({
      name: 'duban_http_request_duration_seconds',
      help: 'Time from receiving a request to the end of its response, by route pattern, method and status.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    const reportDuration = new Histogram({
      name: 'duban_report_duration_seconds',
      help: 'Time to answer a successful report request, by report and format.',
      labelNames: ['report', 'format'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    // An export streams until the client has read it all, which may take minutes.
    const exportDuration = new Histogram({
      name: 'duban_export_duration_seconds',
      help: 'Time to stream a successful export to its end, by export and format.',
      labelNames: ['export', 'format'],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900],
      registers,
    });

    const ledgerPosition = new Gauge({ name: 'duban_ledger_position', help: 'Position of the last event in the ledger.', registers });
    const deliveries = new Gauge({ name: 'duban_webhook_deliveries', help: 'Webhook deliveries kept in the outbox, by status: pending is the backlog, failed the ones that gave up.', labelNames: ['status'], registers });
    const databaseUp = new Gauge({ name: 'duban_database_up', help: '1 when the database answered the scrape\'s queries, 0 otherwise.', registers });

    const engine = new Gauge({ name: 'duban_database_engine', help: 'The database engine in use (1 for the one in use): postgres, or pglite, embedded in this process with one connection and no pool.', labelNames: ['engine'], registers });
    const client = (app.deps.db as unknown as { $client?: unknown }).$client;
    if (client instanceof pg.Pool) {
      engine.set({ engine: 'postgres' }, 1);
      new Gauge({
        name: 'duban_db_pool_connections',
        help: 'Connections of the PostgreSQL pool, by state: total open, idle, and the maximum (PG_POOL_MAX).',
        labelNames: ['state'],
        registers,
        collect() {
          this.set({ state: 'total' }, client.totalCount);
          this.set({ state: 'idle' }, client.idleCount);
          this.set({ state: 'max' }, client.options.max ?? 10);
        },
      });
      new Gauge({
        name: 'duban_db_pool_waiting_requests',
        help: 'Queries waiting for a connection of the PostgreSQL pool.',
        registers,
        collect() {
          this.set(client.waitingCount);
        },
      });
    } else {
      engine.set({ engine: 'pglite' }, 1);
    }

    app.decorate('metrics', {
      registry,
      recordState(state) {
        databaseUp.set(state ? 1 : 0);
        // Without an answer the gauges keep the last values read, which duban_database_up 0 marks as old.
        if (!state) return;
        ledgerPosition.set(state.ledgerPosition);
        deliveries.set({ status: 'pending' }, state.deliveriesPending);
        deliveries.set({ status: 'failed' }, state.deliveriesFailed);
      },
    } satisfies AppMetrics);

    app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
      const route = request.routeOptions.url ?? UNROUTED;
      const seconds = reply.elapsedTime / 1000;
      requestDuration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, seconds);
      if (reply.statusCode >= 300) return;
      const [, area, name] = /^\/v1\/(reports|exports)\/([a-z-]+)$/.exec(route) ?? [];
      if (area === 'reports') reportDuration.observe({ report: name!, format: formatOf(reply) }, seconds);
      else if (area === 'exports') exportDuration.observe({ export: name!, format: formatOf(reply) }, seconds);
    });
  },
  { name: 'metrics', dependencies: ['context'] },
);
