import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsync } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isDatabaseUnavailable, loggableError } from '../../db/errors.js';
import { DomainError, NotFoundError } from '../../domain/errors.js';
import { ANONYMOUS } from '../../domain/permissions.js';
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from '../../plugins/problems.js';
import { type Lang, messages } from './i18n.js';
import { errorPage } from './pages/error.js';
import pages from './pages.js';
import signIn, { readerHook } from './sign-in.js';
import { pageContext } from './view.js';

/**
 * The pages' own policy, stricter than the API's only where pages need it: styles from the one
 * stylesheet, forms posting back here, and no script at all (the board works without it).
 */
const BOARD_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const FORM_BODY_LIMIT = 4096;

function errorStatus(error: FastifyError): { status: number; title: keyof typeof messages.zh } {
  if (hasZodFastifySchemaValidationErrors(error)) return { status: 400, title: 'badRequest' };
  if (error instanceof NotFoundError) return { status: 404, title: 'notFound' };
  if (error instanceof DomainError) return error.code === 'forbidden' ? { status: 403, title: 'forbidden' } : { status: 400, title: 'badRequest' };
  if (isDatabaseUnavailable(error)) return { status: 503, title: 'unavailable' };
  if (error.statusCode === 403) return { status: 403, title: 'forbidden' };
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return { status: error.statusCode, title: 'badRequest' };
  return { status: 500, title: 'serverError' };
}

/**
 * The read-only status board for people (README "Status board"): server-rendered pages outside
 * /v1, with their own sign-in, CSP and HTML error pages. Its numbers come from the report services.
 */
const board: FastifyPluginAsync = async (app) => {
  await app.register(cookie);
  await app.register(csrf, { sessionPlugin: '@fastify/cookie', cookieOpts: { path: '/', httpOnly: true, sameSite: 'strict', secure: 'auto' } });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.addHook('onRequest', async (_request, reply) => {
    void reply.header('content-security-policy', BOARD_CSP);
    // A page shows what one session may read: no cache may keep it, so Back after signing out on a
    // shared office computer asks the server, which sends the sign-in form. The stylesheet and icon set their own.
    void reply.header('cache-control', 'no-store');
  });
  app.addHook('onRequest', readerHook(app));

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const { status, title } = errorStatus(error);
    if (status >= 500) request.log.error({ err: loggableError(error) ?? error }, 'board page failed');
    if (status === 503) void reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    const lang: Lang = (request.query as { lang?: string } | undefined)?.lang === 'en' ? 'en' : 'zh';
    const t = messages[lang];
    // Client errors explain themselves; a server error names only the request id, as the API's problem documents do.
    const detail = status >= 500 ? `${t[title]} (${request.id})` : error.message;
    const ctx = pageContext({ lang, principal: request.principal ?? ANONYMOUS, signedIn: false, csrfToken: '', path: '/', query: {} }, new Map());
    return reply.code(status).type('text/html; charset=utf-8').send(errorPage(ctx, t[title], detail));
  });

  await app.register(signIn);
  await app.register(pages);
};

export default board;
