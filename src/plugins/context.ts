import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import type { Database, Notifications } from '../db/client.js';

export interface AppDeps {
  config: Readonly<Config>;
  db: Database;
  /** The only source of "now", so tests can fix the time. */
  clock: () => Date;
  /**
   * The database's change announcements. Without them nothing that must hear of a change at once
   * (a revoked key) is kept in memory.
   */
  notifications?: Notifications | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
  }
}

/** Makes the infrastructure handed to buildApp reachable from every route, without globals. */
export default fp<AppDeps>(
  async (app, deps) => {
    app.decorate('deps', { config: deps.config, db: deps.db, clock: deps.clock, notifications: deps.notifications });
  },
  { name: 'context' },
);
