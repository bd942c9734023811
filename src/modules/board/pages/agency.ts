import type { Task } from '../../tasks/schemas.js';
import { html, type Html } from '../html.js';
import type { agencyData } from '../service.js';
import { healthBadge, href, layout, moment, type PageContext, statusBadge } from '../view.js';

type Data = Awaited<ReturnType<typeof agencyData>>;

function taskTable(tasks: Task[], ctx: PageContext): Html {
  if (tasks.length === 0) return html`<p class="empty">${ctx.t.noTasks}</p>`;
  return html`<table class="tasks">
    <thead><tr><th scope="col">${ctx.t.text}</th><th scope="col">${ctx.t.status}</th><th scope="col">${ctx.t.health}</th><th scope="col">${ctx.t.progress}</th><th scope="col">${ctx.t.dueDate}</th><th scope="col">${ctx.t.lastReport}</th></tr></thead>
    <tbody>${tasks.map(
      (task) => html`<tr data-task="${task.id}">
      <td class="text"><a href="${href(ctx.lang, `/tasks/${encodeURIComponent(task.id)}`)}">${task.title ?? task.text}</a></td>
      <td>${statusBadge(task.status, ctx)}</td><td>${healthBadge(task.health, ctx)}</td><td class="num">${task.progress}%</td>
      <td>${task.dueDate ?? '—'}${task.overdue ? html` <span class="flag">${ctx.t.overdue}</span>` : ''}</td><td>${moment(task.lastReportAt, ctx)}</td>
    </tr>`,
    )}</tbody>
  </table>`;
}

export function agencyPage({ agency, leads, coOperates, row }: Data, ctx: PageContext): string {
  const overdue = [...new Map([...leads, ...coOperates].filter((task) => task.overdue).map((task) => [task.id, task])).values()];
  const link = (id: string) => html`<a href="${href(ctx.lang, `/agencies/${encodeURIComponent(id)}`)}">${ctx.unitName(id, id)}</a> `;
  const body = html`<p class="meta">${agency.fullName} · ${agency.nameEn}</p>
<dl class="facts">
  <dt>${ctx.t.lastReported}</dt><dd data-last-report>${moment(row?.lastReportAt ?? null, ctx)}</dd>
  <dt>${ctx.t.leads}</dt><dd class="num">${row?.led ?? 0}</dd>
  <dt>${ctx.t.coOperates}</dt><dd class="num">${row?.coOwned ?? 0}</dd>
  <dt>${ctx.t.overdue}</dt><dd class="num">${row?.counts.overdue ?? 0}</dd>
  ${agency.groupIds.length ? html`<dt>${ctx.t.memberOf}</dt><dd>${agency.groupIds.map(link)}</dd>` : ''}
  ${agency.memberIds.length ? html`<dt>${ctx.t.parts}</dt><dd>${agency.memberIds.map(link)}</dd>` : ''}
</dl>
<section><h2>${ctx.t.overdue}</h2>${taskTable(overdue, ctx)}</section>
<section><h2>${ctx.t.leads}</h2>${taskTable(leads, ctx)}</section>
<section><h2>${ctx.t.coOperates}</h2>${taskTable(coOperates, ctx)}</section>`;
  return layout(ctx, ctx.unitName(agency.id, agency.name), body);
}
