import { TaskStatus } from '../../tasks/schemas.js';
import { html, type Html } from '../html.js';
import { eventNames, reportingNames, statusNames } from '../i18n.js';
import type { bulletinData } from '../service.js';
import { href, layout, moment, type PageContext } from '../view.js';
import { countsTable } from './counts.js';
import { actorLabel, changesList } from './task.js';

type Data = Awaited<ReturnType<typeof bulletinData>>;

function moved(data: Data, ctx: PageContext): Html {
  const rows = TaskStatus.options.map((status) => ({ status, from: data.atStart.byStatus[status], to: data.atEnd.byStatus[status] }));
  return html`<table class="moved">
    <thead><tr><th scope="col">${ctx.t.status}</th><th scope="col">${ctx.t.statusAtStart}</th><th scope="col">${ctx.t.statusAtEnd}</th><th scope="col">±</th></tr></thead>
    <tbody>${rows.map((r) => html`<tr><th scope="row">${statusNames[ctx.lang][r.status]}</th><td class="num">${r.from}</td><td class="num">${r.to}</td><td class="num">${r.to - r.from > 0 ? '+' : ''}${r.to - r.from}</td></tr>`)}</tbody>
  </table>`;
}

function events(data: Data, ctx: PageContext): Html {
  const hidden = data.hiddenEvents > 0 ? html`<p class="note">${ctx.t.historyHidden} (${data.hiddenEvents})</p>` : html``;
  if (data.events.length === 0) return data.hiddenEvents > 0 ? hidden : html`<p class="empty">${ctx.t.movedNone}</p>`;
  return html`${hidden}<table class="history">
    <thead><tr><th scope="col">${ctx.t.when}</th><th scope="col">${ctx.t.text}</th><th scope="col">${ctx.t.who}</th><th scope="col">${ctx.t.what}</th><th scope="col">${ctx.t.note}</th></tr></thead>
    <tbody>${data.events.map(
      (event) => html`<tr data-event="${event.id}">
      <td>${moment(event.at, ctx)}</td>
      <td><a href="${href(ctx.lang, `/tasks/${encodeURIComponent(event.taskId)}`)}">${event.taskId}</a></td>
      <td>${actorLabel(event.actor, ctx)}</td>
      <td>${eventNames[ctx.lang][event.type]}${changesList(event, ctx)}</td>
      <td>${event.note ?? ''}</td>
    </tr>`,
    )}</tbody>
  </table>`;
}

function overdue(data: Data, ctx: PageContext): Html {
  if (data.overdue.length === 0) return html`<p class="empty">${ctx.t.noTasks}</p>`;
  return html`<table class="tasks">
    <thead><tr><th scope="col">${ctx.t.number}</th><th scope="col">${ctx.t.text}</th><th scope="col">${ctx.t.lead}</th><th scope="col">${ctx.t.dueDate}</th><th scope="col">${ctx.t.daysLate}</th></tr></thead>
    <tbody>${data.overdue.map(
      (row) => html`<tr data-task="${row.taskId}">
      <td>${row.number}</td>
      <td class="text"><a href="${href(ctx.lang, `/tasks/${encodeURIComponent(row.taskId)}`)}">${row.text}</a></td>
      <td>${row.leadAgencyId ? ctx.unitName(row.leadAgencyId, row.leadAgencyName ?? row.leadAgencyId) : '—'}</td>
      <td>${row.dueDate}</td><td class="num">${row.daysLate}</td>
    </tr>`,
    )}</tbody>
  </table>`;
}

function notReported(data: Data, ctx: PageContext): Html {
  if (data.missing.kind === 'quiet') {
    const units = data.missing.units;
    return html`<p class="note">${ctx.t.noCadenceNote}</p>
    ${units.length === 0 ? html`<p class="empty">${ctx.t.notReportedNone}</p>` : html`<ul class="units">${units.map((u) => html`<li data-agency="${u.agencyId}"><a href="${href(ctx.lang, `/agencies/${encodeURIComponent(u.agencyId)}`)}">${ctx.unitName(u.agencyId, u.name)}</a> · ${ctx.t.lastReported}: ${moment(u.lastReportAt, ctx)}</li>`)}</ul>`}`;
  }
  const { report } = data.missing;
  const rows = report.items.filter((row) => row.status === 'missing' || row.status === 'late');
  return html`<p class="meta">${report.period} · ${ctx.t.dueDate} ${report.dueDate} · ${Object.entries(report.byStatus).map(([status, n]) => `${reportingNames[ctx.lang][status as keyof typeof report.byStatus]} ${n}`).join(' · ')}</p>
  ${rows.length === 0
    ? html`<p class="empty">${ctx.t.notReportedNone}</p>`
    : html`<table class="reporting"><thead><tr><th scope="col">${ctx.t.agency}</th><th scope="col">${ctx.t.text}</th><th scope="col">${ctx.t.status}</th></tr></thead>
      <tbody>${rows.map((row) => html`<tr data-agency="${row.agencyId}"><td><a href="${href(ctx.lang, `/agencies/${encodeURIComponent(row.agencyId)}`)}">${ctx.unitName(row.agencyId, row.agencyName)}</a></td><td><a href="${href(ctx.lang, `/tasks/${encodeURIComponent(row.taskId)}`)}">${row.number}</a> ${row.text}</td><td>${reportingNames[ctx.lang][row.status]}</td></tr>`)}</tbody></table>`}`;
}

export function bulletinPage(data: Data, ctx: PageContext): string {
  const body = html`<p class="meta"><a href="${href(ctx.lang, `/lists/${encodeURIComponent(data.list.id)}`)}">${data.list.title}</a> · ${ctx.t.month} ${data.month}</p>
${countsTable(data.atEnd, ctx.t.tasks, ctx)}
<section><h2>${ctx.t.moved}</h2>${moved(data, ctx)}<h3>${ctx.t.eventsOfMonth}</h3>${events(data, ctx)}</section>
<section><h2>${ctx.t.overdue}</h2>${overdue(data, ctx)}</section>
<section><h2>${ctx.t.notReported}</h2>${notReported(data, ctx)}</section>`;
  return layout(ctx, `${data.list.title} · ${ctx.t.bulletin} ${data.month}`, body);
}
