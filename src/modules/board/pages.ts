import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { IdParams } from '../common/schemas.js';
import type { ReportContext } from '../reports/service.js';
import { agencyPage } from './pages/agency.js';
import { bulletinPage } from './pages/bulletin.js';
import { homePage } from './pages/home.js';
import { listPage } from './pages/list.js';
import { taskPage } from './pages/task.js';
import { BulletinParams, ListQuery, PageQuery } from './schemas.js';
import { agencyData, agencyDirectory, bulletinData, homeData, listData, taskData } from './service.js';
import { FAVICON, STYLESHEET } from './stylesheet.js';
import { pageContext, type PageContext } from './view.js';
import type { Lang } from './i18n.js';

/** The board's read-only pages: each reads through board/service.ts and renders one template. */
const pages: FastifyPluginAsyncZod = async (app) => {
  const reportContext = (): ReportContext => ({ now: app.deps.clock(), policy: app.deps.config });

  async function context(request: FastifyRequest, reply: FastifyReply, lang: Lang): Promise<PageContext> {
    const signedIn = request.principal.keyId !== null;
    const [path] = request.url.split('?');
    return pageContext(
      { lang, principal: request.principal, signedIn, csrfToken: signedIn ? reply.generateCsrf() : '', path: path!, query: request.query as Record<string, string> },
      await agencyDirectory(app.deps.db),
    );
  }

  const send = (reply: FastifyReply, page: string) => reply.type('text/html; charset=utf-8').send(page);

  app.get('/board.css', { schema: { hide: true } }, (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLESHEET));

  app.get('/favicon.svg', { schema: { hide: true } }, (_request, reply) => reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(FAVICON));

  app.get('/', { schema: { hide: true, querystring: PageQuery } }, async (request, reply) =>
    send(reply, homePage(await homeData(app.deps.db, reportContext()), await context(request, reply, request.query.lang))),
  );

  app.get('/lists/:id', { schema: { hide: true, params: IdParams, querystring: ListQuery } }, async (request, reply) => {
    const { lang, ...filters } = request.query;
    return send(reply, listPage(await listData(app.deps.db, request.params.id, filters, reportContext()), filters, await context(request, reply, lang)));
  });

  app.get('/lists/:id/bulletin/:month', { schema: { hide: true, params: BulletinParams, querystring: PageQuery } }, async (request, reply) =>
    send(reply, bulletinPage(await bulletinData(app.deps.db, request.params, request.principal, reportContext()), await context(request, reply, request.query.lang))),
  );

  app.get('/tasks/:id', { schema: { hide: true, params: IdParams, querystring: PageQuery } }, async (request, reply) =>
    send(reply, taskPage(await taskData(app.deps.db, request.params.id, request.principal, reportContext()), await context(request, reply, request.query.lang))),
  );

  app.get('/agencies/:id', { schema: { hide: true, params: IdParams, querystring: PageQuery } }, async (request, reply) =>
    send(reply, agencyPage(await agencyData(app.deps.db, request.params.id, reportContext()), await context(request, reply, request.query.lang))),
  );
};

export default pages;
