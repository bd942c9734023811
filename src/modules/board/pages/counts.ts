import type { z } from 'zod';
import { TaskStatus } from '../../tasks/schemas.js';
import type { Summary } from '../../reports/schemas.js';
import { html, type Html } from '../html.js';
import { healthNames, statusNames } from '../i18n.js';
import { type PageContext, percent } from '../view.js';

const HEALTHS = ['red', 'amber', 'green'] as const;

/** A summary report's counts as one table row's cells, in the order countsHead names them. */
export function countsCells(summary: z.output<typeof Summary>): Html {
  return html`<td class="num">${summary.total}</td>
    ${TaskStatus.options.map((status) => html`<td class="num">${summary.byStatus[status]}</td>`)}
    ${HEALTHS.map((health) => html`<td class="num health-cell-${health}">${summary.byHealth[health]}</td>`)}
    <td class="num">${percent(summary.completionRate)}</td>
    <td class="num">${summary.overdue}</td>
    <td class="num">${summary.stale}</td>`;
}

export function countsHead(ctx: PageContext): Html {
  return html`<th scope="col">${ctx.t.total}</th>
    ${TaskStatus.options.map((status) => html`<th scope="col">${statusNames[ctx.lang][status]}</th>`)}
    ${HEALTHS.map((health) => html`<th scope="col">${healthNames[ctx.lang][health]}</th>`)}
    <th scope="col">${ctx.t.completionRate}</th>
    <th scope="col">${ctx.t.overdue}</th>
    <th scope="col">${ctx.t.stale}</th>`;
}

/** One summary as a table of its own, with the moment it describes. */
export function countsTable(summary: z.output<typeof Summary>, caption: string, ctx: PageContext): Html {
  return html`<table class="counts" data-counts="${summary.asOf}">
    <caption>${caption} · ${ctx.t.countsAt} <time datetime="${summary.asOf}">${summary.asOf.slice(0, 16).replace('T', ' ')} UTC</time></caption>
    <thead><tr>${countsHead(ctx)}</tr></thead>
    <tbody><tr>${countsCells(summary)}</tr></tbody>
  </table>`;
}
