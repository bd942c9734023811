import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ANONYMOUS } from '../../domain/permissions.js';
import { authenticateKey } from '../api-keys/service.js';
import type { Lang } from './i18n.js';
import { signInPage, type SignInFailure } from './pages/sign-in.js';
import { SignInForm, SignInQuery, SignOutForm } from './schemas.js';
import { closeSession, openSession, SESSION_HOURS, sessionPrincipal } from './sessions.js';
import { href, pageContext } from './view.js';

const SESSION_COOKIE = 'duban_board';

/** Pages a visitor who is not signed in may open, whatever PUBLIC_READ says. */
const OPEN_ROUTES = new Set(['/sign-in', '/board.css', '/favicon.svg']);

const THIS_SITE = 'http://board.invalid';

/**
 * Only a path on this site may follow a sign-in, so a link cannot send anyone elsewhere. The path
 * is judged as a browser reads it: the URL parser drops tabs and newlines and treats a backslash as
 * a slash, so "/\t/evil.example" is "//evil.example", another host. What is sent back is the
 * parser's own serialisation, percent-encoded, which no header value can refuse.
 */
export function localPath(next: string | undefined): string {
  if (next === undefined || !next.startsWith('/')) return '/';
  const url = new URL(next, THIS_SITE);
  return url.origin === THIS_SITE ? `${url.pathname}${url.search}${url.hash}` : '/';
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
    // Without a session or PUBLIC_READ the visitor is nobody yet, and the request log says so (role null).
    if (principal) request.principal = principal;
    else if (config.publicRead) request.principal = ANONYMOUS;
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
  // Failed sign-ins count into the limits on failed bearer keys (plugins/auth.ts), so the form is no
  // way around them, and one person's typos behind an office's NAT lock no one else out.
  const failures = app.authFailureLimits;

  const form = async (reply: FastifyReply, lang: Lang, next: string, failure: SignInFailure | null) => {
    const ctx = pageContext({ lang, principal: ANONYMOUS, signedIn: false, csrfToken: reply.generateCsrf(), path: '/sign-in', query: { next } }, new Map());
    return reply.type('text/html; charset=utf-8').send(signInPage(ctx, { next, failure }));
  };

  app.get('/sign-in', { schema: { hide: true, querystring: SignInQuery } }, async (request, reply) => {
    const next = localPath(request.query.next);
    if (request.principal?.keyId) return reply.redirect(next, 303);
    return form(reply, request.query.lang, next, null);
  });

  app.post('/sign-in', { schema: { hide: true, body: SignInForm }, preHandler: app.csrfProtection }, async (request, reply) => {
    const { key, lang } = request.body;
    const next = localPath(request.body.next);
    const standings = await Promise.all(failures.map((limit) => limit(request, { increment: false })));
    const limit = standings.find((standing) => !standing.isAllowed && standing.isExceeded);
    // isAllowed again only for the compiler, which does not narrow through find.
    if (limit && !limit.isAllowed) {
      void reply.header('retry-after', String(Math.max(1, limit.ttlInSeconds)));
      return form(reply.code(429), lang, next, 'limited');
    }
    const principal = await authenticateKey(db, key, app.keyCache);
    if (!principal) {
      await Promise.all(failures.map((limit) => limit(request)));
      return form(reply.code(401), lang, next, 'invalid');
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
