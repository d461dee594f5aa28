import { escapeHtml, htmlDocument } from './html.js';
import type { RenderedPage } from './coupa-pages.js';

/** The corporate identity provider's sign-in form, with its "stay signed in" checkbox. */
export function idpSignInPage(returnTo: string, failed: boolean): RenderedPage {
  const error = failed ? '<p id="idp_error" role="alert">Incorrect username or password.</p>' : '';
  const body = `<div id="content">
<h1>Example Corp sign-in</h1>
${error}
<form id="idp_form" method="post" action="/sso/login">
<p><label for="idp_username">Username</label> <input id="idp_username" name="username" type="text" autocomplete="username"></p>
<p><label for="idp_password">Password</label> <input id="idp_password" name="password" type="password" autocomplete="current-password"></p>
<p><input id="stay_signed_in" name="stay_signed_in" type="checkbox" value="yes"> <label for="stay_signed_in">Stay signed in</label></p>
<input type="hidden" name="return_to" value="${escapeHtml(returnTo)}">
<button type="submit" id="idp_submit">Sign in</button>
</form>
</div>`;
  return { status: failed ? 401 : 200, html: htmlDocument('Sign in - Example Corp', body) };
}

export function idpMessagePage(status: number, message: string): RenderedPage {
  return { status, html: htmlDocument('Example Corp sign-in', `<div id="content"><p class="idp_message">${escapeHtml(message)}</p></div>`) };
}
