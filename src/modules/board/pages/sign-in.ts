import { html } from '../html.js';
import { layout, type PageContext } from '../view.js';

export type SignInFailure = 'invalid' | 'limited';

export function signInPage(ctx: PageContext, options: { next: string; failure: SignInFailure | null }): string {
  const failure = options.failure === 'limited' ? ctx.t.signInLimited : options.failure === 'invalid' ? ctx.t.signInFailed : null;
  const body = html`<p>${ctx.t.signInIntro}</p>
${failure ? html`<p class="error" role="alert">${failure}</p>` : ''}
<form method="post" action="/sign-in" class="sign-in">
  <input type="hidden" name="_csrf" value="${ctx.csrfToken}">
  <input type="hidden" name="next" value="${options.next}">
  <input type="hidden" name="lang" value="${ctx.lang}">
  <label for="key">${ctx.t.apiKey}</label>
  <input id="key" name="key" type="password" autocomplete="off" required maxlength="200">
  <button type="submit">${ctx.t.signIn}</button>
</form>`;
  return layout(ctx, ctx.t.signIn, body);
}
