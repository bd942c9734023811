import type { Event } from '../../tasks/events-schemas.js';
import { html, type Html } from '../html.js';
import type { TaskStatus } from '../../../db/schema/index.js';
import { eventNames, statusNames } from '../i18n.js';
import type { taskData } from '../service.js';
import { healthBadge, href, layout, moment, type PageContext, statusBadge } from '../view.js';

type Data = Awaited<ReturnType<typeof taskData>>;

/** Evidence links are stored, never fetched; only web addresses become links, so no stored text can be a script URL. */
export function evidenceLink(link: string): Html {
  return /^https?:\/\//i.test(link) ? html`<a href="${link}" rel="noopener noreferrer nofollow">${link}</a>` : html`<span>${link}</span>`;
}

/** A changed field's value as a reader says it: statuses by name, units by name and role, the rest as recorded. */
function value(field: string, v: unknown, ctx: PageContext): string {
  if (v === null || v === undefined) return '—';
  if (field === 'status' && typeof v === 'string' && v in statusNames[ctx.lang]) return statusNames[ctx.lang][v as TaskStatus];
  if (field === 'assignments' && Array.isArray(v)) {
    return (v as { agencyId: string; role: string }[]).map((a) => `${ctx.unitName(a.agencyId, a.agencyId)}${a.role === 'lead' ? ` (${ctx.t.lead})` : ''}`).join('、');
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Who made a change: the agency, the role, the key (the ledger's actor). */
export function actorLabel(actor: Event['actor'], ctx: PageContext): string {
  if (actor.role === 'system') return ctx.t.system;
  const agency = actor.agencyId ? `${ctx.unitName(actor.agencyId, actor.agencyId)} · ` : '';
  return `${agency}${actor.role}${actor.keyId ? ` (${actor.keyId})` : ''}`;
}

export function changesList(event: Event, ctx: PageContext): Html {
  const changes = Object.entries(event.changes).filter(([, change]) => change !== undefined);
  if (changes.length === 0) return html``;
  return html`<ul class="changes">${changes.map(([field, change]) => html`<li><code>${field}</code>: ${value(field, change!.from, ctx)} → ${value(field, change!.to, ctx)}</li>`)}</ul>`;
}

function history(events: Event[], ctx: PageContext): Html {
  return html`<table class="history">
    <thead><tr><th scope="col">${ctx.t.when}</th><th scope="col">${ctx.t.who}</th><th scope="col">${ctx.t.what}</th><th scope="col">${ctx.t.note}</th><th scope="col">${ctx.t.evidence}</th></tr></thead>
    <tbody>
    ${events.map(
      (event) => html`<tr data-event="${event.id}">
      <td><time datetime="${event.at}">${moment(event.at, ctx)}</time></td>
      <td>${actorLabel(event.actor, ctx)}</td>
      <td>${eventNames[ctx.lang][event.type]}${changesList(event, ctx)}</td>
      <td>${event.note ?? ''}</td>
      <td>${event.evidence.map((link) => html`<div>${evidenceLink(link)}</div>`)}</td>
    </tr>`,
    )}
    </tbody>
  </table>`;
}

export function taskPage({ task, list, article, history: events }: Data, ctx: PageContext): string {
  const unitLink = (a: Data['task']['assignments'][number]) => html`<a href="${href(ctx.lang, `/agencies/${encodeURIComponent(a.agencyId)}`)}">${ctx.unitName(a.agencyId, a.agencyName)}</a>`;
  const lead = task.assignments.filter((a) => a.role === 'lead');
  const co = task.assignments.filter((a) => a.role === 'co');
  const body = html`<p class="meta"><a href="${href(ctx.lang, `/lists/${encodeURIComponent(list.id)}`)}">${list.title}</a> · ${ctx.t.number} ${task.label ?? task.number}</p>
<blockquote class="verbatim" lang="zh-CN">${task.text}</blockquote>
<dl class="facts">
  <dt>${ctx.t.status}</dt><dd>${statusBadge(task.status, ctx)} ${healthBadge(task.health, ctx)}${task.overdue ? html` <span class="flag">${ctx.t.overdue}</span>` : ''}${task.stale ? html` <span class="flag">${ctx.t.stale}</span>` : ''}</dd>
  <dt>${ctx.t.progress}</dt><dd>${task.progress}%</dd>
  <dt>${ctx.t.dueDate}</dt><dd>${task.dueDate ?? '—'}</dd>
  <dt>${ctx.t.lastReport}</dt><dd>${moment(task.lastReportAt, ctx)}</dd>
  <dt>${ctx.t.article}</dt><dd>${article ? html`${article.number} ${article.title ?? ''}<blockquote class="verbatim article" lang="zh-CN">${article.text}</blockquote>` : '—'}</dd>
  <dt>${ctx.t.lead}</dt><dd>${lead.map(unitLink)}</dd>
  <dt>${ctx.t.co}</dt><dd class="units">${co.length ? co.map(unitLink) : '—'}</dd>
  ${task.responsibleText ? html`<dt>${ctx.t.responsibleText}</dt><dd lang="zh-CN">${task.responsibleText}</dd>` : ''}
</dl>
<section><h2>${ctx.t.history}</h2>${events ? history(events, ctx) : html`<p class="note">${ctx.t.historyHidden}</p>`}</section>`;
  return layout(ctx, task.title ?? `${list.title} ${task.label ?? task.number}`, body);
}
