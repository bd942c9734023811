import { TaskStatus } from '../../tasks/schemas.js';
import { burnUpChart } from '../chart.js';
import { html, type Html } from '../html.js';
import { healthNames, statusNames } from '../i18n.js';
import type { ListFilters } from '../schemas.js';
import type { listData } from '../service.js';
import { healthBadge, href, layout, moment, type PageContext, statusBadge } from '../view.js';
import { countsTable } from './counts.js';

type Data = Awaited<ReturnType<typeof listData>>;

/** One filter's choices as links: each keeps the other filters, so a combination can be bookmarked. */
function filterLinks(name: keyof ListFilters, label: string, choices: { value: string; label: string }[], data: Data, filters: ListFilters, ctx: PageContext): Html {
  const path = `/lists/${encodeURIComponent(data.list.id)}`;
  const current = filters[name] === undefined ? undefined : String(filters[name]);
  const link = (value: string | undefined, text: string) =>
    current === value
      ? html`<strong aria-current="page">${text}</strong>`
      : html`<a href="${href(ctx.lang, path, { ...filters, [name]: value })}">${text}</a>`;
  return html`<div class="filter"><span class="filter-name">${label}</span> ${link(undefined, ctx.t.all)} ${choices.map((c) => link(c.value, c.label))}</div>`;
}

function filterBar(data: Data, filters: ListFilters, ctx: PageContext): Html {
  const flags = [
    { value: 'true', label: ctx.t.yes },
    { value: 'false', label: ctx.t.no },
  ];
  return html`<nav class="filters" aria-label="${ctx.t.filters}">
    ${filterLinks('status', ctx.t.status, TaskStatus.options.map((s) => ({ value: s, label: statusNames[ctx.lang][s] })), data, filters, ctx)}
    ${filterLinks('health', ctx.t.health, (['red', 'amber', 'green'] as const).map((h) => ({ value: h, label: healthNames[ctx.lang][h] })), data, filters, ctx)}
    ${filterLinks('overdue', ctx.t.overdue, flags, data, filters, ctx)}
    ${filterLinks('stale', ctx.t.stale, flags, data, filters, ctx)}
    ${filterLinks('agency', ctx.t.agency, data.units.map((u) => ({ value: u.agencyId, label: ctx.unitName(u.agencyId, u.agencyName) })), data, filters, ctx)}
    <p><a href="${href(ctx.lang, `/lists/${encodeURIComponent(data.list.id)}`)}">${ctx.t.clearFilters}</a></p>
  </nav>`;
}

function taskRows(data: Data, ctx: PageContext): Html {
  if (data.tasks.length === 0) return html`<p class="empty">${ctx.t.noTasks}</p>`;
  return html`<table class="tasks">
    <thead><tr>
      <th scope="col">${ctx.t.number}</th><th scope="col">${ctx.t.text}</th><th scope="col">${ctx.t.status}</th><th scope="col">${ctx.t.health}</th>
      <th scope="col">${ctx.t.progress}</th><th scope="col">${ctx.t.lead}</th><th scope="col">${ctx.t.dueDate}</th><th scope="col">${ctx.t.lastReport}</th>
    </tr></thead>
    <tbody>
    ${data.tasks.map(({ task, depth }) => {
      const lead = task.assignments.find((a) => a.role === 'lead');
      return html`<tr data-task="${task.id}" class="depth-${Math.min(depth, 4)}">
        <td>${task.label ?? task.number}</td>
        <td class="text"><a href="${href(ctx.lang, `/tasks/${encodeURIComponent(task.id)}`)}">${task.title ?? task.text}</a></td>
        <td>${statusBadge(task.status, ctx)}</td>
        <td>${healthBadge(task.health, ctx)}</td>
        <td class="num">${task.progress}%</td>
        <td>${lead ? html`<a href="${href(ctx.lang, `/agencies/${encodeURIComponent(lead.agencyId)}`)}">${ctx.unitName(lead.agencyId, lead.agencyName)}</a>` : '—'}</td>
        <td>${task.dueDate ?? '—'}${task.overdue ? html` <span class="flag">${ctx.t.overdue}</span>` : ''}</td>
        <td>${moment(task.lastReportAt, ctx)}${task.stale ? html` <span class="flag">${ctx.t.stale}</span>` : ''}</td>
      </tr>`;
    })}
    </tbody>
  </table>`;
}

export function listPage(data: Data, filters: ListFilters, ctx: PageContext): string {
  const month = data.summary.asOf.slice(0, 7);
  const body = html`<p class="meta">${data.list.annex ?? ''} · <a href="${href(ctx.lang, `/lists/${encodeURIComponent(data.list.id)}/bulletin/${month}`)}">${ctx.t.bulletin} ${month}</a></p>
${countsTable(data.summary, ctx.t.tasks, ctx)}
<section><h2>${ctx.t.burnUp}</h2>${burnUpChart(data.timeline, `${ctx.t.burnUp}: ${data.list.title}`, ctx)}</section>
<section><h2>${ctx.t.tasks}</h2>${filterBar(data, filters, ctx)}${taskRows(data, ctx)}</section>`;
  return layout(ctx, data.list.title, body);
}
