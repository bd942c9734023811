import type { TaskStatus } from '../../db/schema/index.js';
import type { Principal } from '../../domain/permissions.js';
import type { Health } from '../../domain/task-state.js';
import { html, type Html } from './html.js';
import { agencyLabel, healthNames, type Lang, type Messages, messages, statusNames } from './i18n.js';

/** What every page needs besides its data: the language, who is reading, and the form token for signing out. */
export interface PageContext {
  lang: Lang;
  t: Messages;
  principal: Principal;
  /** The board's session is signed in (as opposed to PUBLIC_READ's anonymous reader). */
  signedIn: boolean;
  csrfToken: string;
  /** The request's path, which the language switch links to. */
  path: string;
  query: Record<string, string | undefined>;
  /** A unit's name in the page's language; the fallback for an id no unit has. */
  unitName(agencyId: string, fallback: string): string;
}

export function pageContext(
  request: Omit<PageContext, 't' | 'unitName'>,
  names: ReadonlyMap<string, { name: string; nameEn: string }>,
): PageContext {
  return {
    ...request,
    t: messages[request.lang],
    unitName: (agencyId, shortName) => {
      const agency = names.get(agencyId);
      return agency ? agencyLabel(agency, request.lang) : shortName;
    },
  };
}

/** A board URL in the page's language: Chinese is the default and needs no parameter. */
export function href(lang: Lang, path: string, params: Record<string, string | number | boolean | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) search.set(name, String(value));
  if (lang === 'en') search.set('lang', 'en');
  const query = search.toString();
  return query ? `${path}?${query}` : path;
}

export function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}

/** An instant as a UTC date and minute, the way the ledger records it. */
export function moment(at: string | Date | null, ctx: PageContext): string {
  if (at === null) return ctx.t.never;
  return new Date(at).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

export function statusBadge(status: TaskStatus, ctx: PageContext): Html {
  return html`<span class="status status-${status}">${statusNames[ctx.lang][status]}</span>`;
}

export function healthBadge(health: Health, ctx: PageContext): Html {
  return html`<span class="health health-${health}">${healthNames[ctx.lang][health]}</span>`;
}

function account(ctx: PageContext): Html {
  if (!ctx.signedIn) {
    // The form names no reader: without PUBLIC_READ its visitor is no one yet, not a public reader.
    if (ctx.path === '/sign-in') return html``;
    // Under PUBLIC_READ a reader may still sign in, to see what a key may read beyond it (a task's history).
    return html`<span>${ctx.t.public}</span> <a href="${href(ctx.lang, '/sign-in', { next: ctx.path })}">${ctx.t.signIn}</a>`;
  }
  const { role, agencyId, keyId } = ctx.principal;
  return html`<span>${ctx.t.signedInAs}: ${role}${agencyId ? ` · ${agencyId}` : ''} (${keyId})</span>
    <form method="post" action="/sign-out" class="inline"><input type="hidden" name="_csrf" value="${ctx.csrfToken}"><button type="submit">${ctx.t.signOut}</button></form>`;
}

export function layout(ctx: PageContext, title: string, body: Html): string {
  const other: Lang = ctx.lang === 'en' ? 'zh' : 'en';
  const { lang: _lang, ...rest } = ctx.query;
  return html`<!doctype html>
<html lang="${ctx.t.htmlLang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${ctx.t.boardTitle}</title>
<link rel="stylesheet" href="/board.css">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
</head>
<body>
<header class="masthead">
  <a class="brand" href="${href(ctx.lang, '/')}">${ctx.t.boardTitle}</a>
  <nav aria-label="${ctx.t.language}">
    <a href="${href(other, ctx.path, rest)}" hreflang="${messages[other].htmlLang}" lang="${messages[other].htmlLang}">${ctx.t.language}</a>
    ${account(ctx)}
  </nav>
</header>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`.markup;
}
