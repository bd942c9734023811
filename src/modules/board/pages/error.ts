import { html } from '../html.js';
import { href, layout, type PageContext } from '../view.js';

export function errorPage(ctx: PageContext, title: string, detail: string): string {
  return layout(ctx, title, html`<p class="error">${detail}</p><p><a href="${href(ctx.lang, '/')}">${ctx.t.backHome}</a></p>`);
}
