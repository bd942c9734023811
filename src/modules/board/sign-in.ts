import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ANONYMOUS } from '../../domain/permissions.js';
import { authenticateKey } from '../api-keys/service.js';
import type { Lang } from './i18n.js';
import { signInPage } from './pages/sign-in.js';
import { SignInForm, SignInQuery, SignOutForm } from './schemas.js';
import { closeSession, openSession, SESSION_HOURS, sessionPrincipal } from './sessions.js';
import { href, pageContext } from './view.js';

const SESSION_COOKIE = 'duban_board';

/** Pages a visitor who is not signed in may open, whatever PUBLIC_READ says. */
const OPEN_ROUTES = new Set(['/sign-in', '/board.css', '/favicon.svg']);

/** Only a path on this site may follow a sign-in, so the form cannot send anyone elsewhere. */
function localPath(next: string | undefined): string {
  return next !== undefined && /^\/(?![/\\])/.test(next) ? next : '/';
}

/**
 * Who reads the board: the key a session cookie stands for, checked on every request (so revoking
 * the key ends its sessions at once), else the anonymous reader of PUBLIC_READ. Without either,
 * every page but the sign-in form redirects to it.
 */
export function readerHook(app: FastifyInstance) {
  const { db, clock, config } = app.deps;
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const token = request.cookies[SESSION_COOKIE];
    const principal = token ? await sessionPrincipal(db, token, clock()) : null;
    request.principal = principal ?? ANONYMOUS;
    if (principal || config.publicRead || OPEN_ROUTES.has(request.routeOptions.url ?? '')) return;
    const lang = (request.query as { lang?: string }).lang === 'en' ? 'en' : 'zh';
    return reply.redirect(href(lang, '/sign-in', { next: request.url }), 303);
  };
}

/**
 * Signing in exchanges an API key, verified as the API verifies a bearer key, for a random
 * session token in an HttpOnly, SameSite=Strict cookie; the browser never keeps the key.
 */
const signIn: FastifyPluginAsyncZod = async (app) => {
  const { db, clock, config } = app.deps;
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'strict' as const, secure: 'auto' as const };
  // Failed sign-ins are counted per address as failed bearer keys are (plugins/auth.ts), so the form is no way around that limit.
  const failures = app.createRateLimit({ max: config.authFailuresPerMinute, timeWindow: 60_000, keyGenerator: (request: FastifyRequest) => `board-sign-in:${request.ip}` });

  const form = async (reply: FastifyReply, lang: Lang, next: string, failed: boolean) => {
    const ctx = pageContext({ lang, principal: ANONYMOUS, signedIn: false, csrfToken: reply.generateCsrf(), path: '/sign-in', query: { next } }, new Map());
    return reply.type('text/html; charset=utf-8').send(signInPage(ctx, { next, failed }));
  };

  app.get('/sign-in', { schema: { hide: true, querystring: SignInQuery } }, async (request, reply) => {
    const next = localPath(request.query.next);
    if (request.principal.keyId !== null) return reply.redirect(next, 303);
    return form(reply, request.query.lang, next, false);
  });

  app.post('/sign-in', { schema: { hide: true, body: SignInForm }, preHandler: app.csrfProtection }, async (request, reply) => {
    const { key, lang } = request.body;
    const next = localPath(request.body.next);
    const standing = await failures(request, { increment: false });
    const limited = !standing.isAllowed && standing.isExceeded;
    const principal = limited ? null : await authenticateKey(db, key, app.keyCache);
    if (!principal) {
      if (!limited) await failures(request);
      return form(reply.code(limited ? 429 : 401), lang, next, true);
    }
    const token = await openSession(db, principal.keyId!, clock());
    return reply.setCookie(SESSION_COOKIE, token, { ...cookieOptions, maxAge: SESSION_HOURS * 3600 }).redirect(next, 303);
  });

  app.post('/sign-out', { schema: { hide: true, body: SignOutForm }, preHandler: app.csrfProtection }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await closeSession(db, token);
    return reply.clearCookie(SESSION_COOKIE, cookieOptions).redirect(config.publicRead ? '/' : '/sign-in', 303);
  });
};

export default signIn;
