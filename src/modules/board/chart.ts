import type { z } from 'zod';
import type { Timeline } from '../reports/schemas.js';
import { html, type Html } from './html.js';
import type { PageContext } from './view.js';

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { left: 40, right: 12, top: 12, bottom: 28 };

/**
 * A burn-up chart of the timeline report, drawn on the server: the total scope, and the work
 * done (completed or verified) rising towards it. Inline SVG needs no script and prints as it shows.
 */
export function burnUpChart(timeline: z.output<typeof Timeline>, title: string, ctx: PageContext): Html {
  const points = timeline.points;
  if (points.length === 0) return html`<p>${ctx.t.chartEmpty}</p>`;
  const top = Math.max(1, ...points.map((p) => p.total));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (points.length === 1 ? plotW : (i / (points.length - 1)) * plotW);
  const y = (value: number) => PAD.top + plotH - (value / top) * plotH;
  const line = (value: (p: (typeof points)[number]) => number) => points.map((p, i) => `${x(i).toFixed(1)},${y(value(p)).toFixed(1)}`).join(' ');
  const done = (p: (typeof points)[number]) => p.byStatus.completed + p.byStatus.verified;
  const last = points.at(-1)!;
  const description = `${points[0]!.periodStart} – ${last.periodStart}: ${done(last)} / ${last.total}`;
  return html`<figure class="chart">
  <svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="burnup-title burnup-desc" xmlns="http://www.w3.org/2000/svg">
    <title id="burnup-title">${title}</title>
    <desc id="burnup-desc">${description}</desc>
    <line class="axis" x1="${PAD.left}" y1="${PAD.top + plotH}" x2="${WIDTH - PAD.right}" y2="${PAD.top + plotH}" />
    <line class="axis" x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${PAD.top + plotH}" />
    <text class="tick" x="${PAD.left - 6}" y="${PAD.top + 4}" text-anchor="end">${top}</text>
    <text class="tick" x="${PAD.left - 6}" y="${PAD.top + plotH}" text-anchor="end">0</text>
    <text class="tick" x="${PAD.left}" y="${HEIGHT - 8}">${points[0]!.periodStart}</text>
    <text class="tick" x="${WIDTH - PAD.right}" y="${HEIGHT - 8}" text-anchor="end">${last.periodStart}</text>
    <polyline class="series-total" fill="none" points="${line((p) => p.total)}" />
    <polyline class="series-done" fill="none" points="${line(done)}" />
  </svg>
  <figcaption><span class="key key-total"></span>${ctx.t.total} ${last.total} · <span class="key key-done"></span>${ctx.t.done} ${done(last)}</figcaption>
</figure>`;
}
