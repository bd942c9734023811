import type { homeData } from '../service.js';
import { html } from '../html.js';
import { href, layout, type PageContext } from '../view.js';
import { countsCells, countsHead } from './counts.js';

export function homePage(data: Awaited<ReturnType<typeof homeData>>, ctx: PageContext): string {
  const body = data.documents.map(
    ({ document, lists }) => html`<section class="document">
  <h2>${document.title}</h2>
  <p class="meta">${document.issuers.join('、')}${document.docNumber ? ` · ${document.docNumber}` : ''}${document.issuedOn ? ` · ${document.issuedOn}` : ''}</p>
  <table class="lists">
    <thead><tr><th scope="col">${ctx.t.list}</th>${countsHead(ctx)}</tr></thead>
    <tbody>
    ${lists.map(
      ({ list, summary }) => html`<tr data-list="${list.id}">
      <th scope="row"><a href="${href(ctx.lang, `/lists/${encodeURIComponent(list.id)}`)}">${list.annex ? `${list.annex} ` : ''}${list.title}</a></th>
      ${countsCells(summary)}
    </tr>`,
    )}
    </tbody>
  </table>
</section>`,
  );
  return layout(ctx, ctx.t.documents, html`${body}`);
}
