import type { ErrorVariant, SimAttachment, SimPo, SimRequisition } from './catalogue-model.js';
import { escapeHtml, htmlDocument } from './html.js';

/**
 * The HTML of the simulated tenant, reproducing the markup features the job's page
 * reader relies on (WORKFLOW.md "Coupa pages"): supplier field in two layouts, a fixed
 * toolbar that covers the first attachments, four attachment forms, requisition link,
 * and error pages with the real marker texts.
 */
export interface RenderedPage {
  status: number;
  html: string;
}

export function attachmentDownloadPath(attachment: Pick<SimAttachment, 'id'>): string {
  return `/attachment_files/${attachment.id}/download`;
}

/** Comment attachments live under their comment, like Coupa's comment thread links. */
export function commentAttachmentPath(attachment: Pick<SimAttachment, 'id'>): string {
  return `/comments/${attachment.id}/attachment_files/${attachment.id}?disposition=attachment`;
}

/**
 * The toolbar is 150 px high and fixed at the top, and the attachment list starts right
 * under the heading, so the first attachments sit beneath it: a plain click on them is
 * intercepted, as on the real PO page.
 */
const PAGE_STYLE = `
h1 { margin: 0 0 8px; font-size: 24px; line-height: 32px; }
h2 { margin: 0; font-size: 16px; line-height: 24px; }
ul.attachments { margin: 0 0 16px; padding-left: 20px; }
ul.attachments li { line-height: 28px; }
.notice { background: #fff8d6; border: 1px solid #e6d48a; padding: 6px 10px; margin-bottom: 8px; }
.field { display: flex; gap: 12px; line-height: 24px; }
.field label { width: 120px; font-weight: bold; }
dl.details { display: grid; grid-template-columns: 120px auto; gap: 4px 12px; }
dl.details dt { font-weight: bold; }
dl.details dd { margin: 0; }
span[role="button"] { color: #0645ad; text-decoration: underline; cursor: pointer; }
.comment { border-top: 1px solid #ddd; padding: 8px 0; }
`;

const TOOLBAR = `<div class="page_buttons_right orderHeaderShowFloatingSection floatingSectionOnTop" style="position:fixed;top:0;left:0;right:0;height:150px;z-index:1000;background:#f3f5f7;border-bottom:1px solid #c8ced6;display:flex;justify-content:flex-end;align-items:flex-start;gap:8px;padding:12px 24px;box-sizing:border-box">
<button type="button" class="button">Print</button>
<button type="button" class="button">Receive</button>
<button type="button" class="button">Close Order</button>
</div>`;

/** Form 3 has no href: the download starts from this handler, through a temporary link. */
const SCRIPT_BUTTON_HANDLER = `<script>
(function () {
  function startDownload(button) {
    var link = document.createElement('a');
    link.href = '/attachment_files/' + button.getAttribute('data-attachment-id') + '/download';
    link.download = '';
    document.body.appendChild(link);
    link.click();
    link.remove();
  }
  document.querySelectorAll('span[role="button"][data-attachment-id]').forEach(function (button) {
    button.addEventListener('click', function () { startDownload(button); });
    button.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); startDownload(button); }
    });
  });
})();
</script>`;

function attachmentItem(a: SimAttachment): string {
  const name = escapeHtml(a.fileName);
  const href = escapeHtml(attachmentDownloadPath(a));
  const size = `<span class="size">(${Math.ceil(a.size / 1024)} KB)</span>`;
  switch (a.form) {
    case 'download-link':
      return `<li><a class="attachment_link" href="${href}" download="${name}">${name}</a> ${size}</li>`;
    case 'inline-link':
      return `<li><a class="attachment_link" href="${href}" target="_blank" rel="noopener">${name}</a> ${size}</li>`;
    case 'script-button':
      return `<li><span role="button" tabindex="0" class="attachment_button" aria-label="file attachment ${name}" title="${name}" data-attachment-id="${escapeHtml(a.id)}">${name}</span> ${size}</li>`;
    case 'comment-link':
      return '';
  }
}

function attachmentSections(attachments: SimAttachment[]): { list: string; comments: string } {
  const listed = attachments.filter((a) => a.form !== 'comment-link');
  const list = listed.length
    ? `<ul class="attachments">\n${listed.map(attachmentItem).join('\n')}\n</ul>`
    : '<p class="no_attachments">No attachments</p>';
  const commentItems = attachments
    .filter((a) => a.form === 'comment-link')
    .map(
      (a) => `<div class="comment"><p class="comment_body">Please find our reply attached.</p>
<div class="commentAttachments"><a href="${escapeHtml(commentAttachmentPath(a))}">${escapeHtml(a.fileName)}</a></div></div>`,
    );
  const comments = `<section class="comments"><h2>Comments</h2>
<div class="comment"><p class="comment_body">Order sent to supplier.</p></div>
${commentItems.join('\n')}
</section>`;
  return { list, comments };
}

function supplierField(po: SimPo): string {
  const supplier = escapeHtml(po.supplier);
  if (po.supplierMarkup === 'label-value') {
    return `<div class="field"><label>Status</label><div class="value">Issued</div></div>
<div class="field"><label>Supplier</label><div class="value">${supplier}</div></div>
<div class="field"><label>Currency</label><div class="value">EUR</div></div>`;
  }
  return `<dl class="details"><dt>Status</dt><dd>Issued</dd><dt>Supplier</dt><dd>${supplier}</dd><dt>Currency</dt><dd>EUR</dd></dl>`;
}

export function poPage(po: SimPo): RenderedPage {
  const { list, comments } = attachmentSections(po.attachments);
  const notice = po.notice ? `<div class="notice">${escapeHtml(po.notice)}</div>` : '';
  const requisition = po.requisition
    ? `<p class="requisition">Requisition: <a href="/requisition_headers/${escapeHtml(po.requisition.id)}">#${escapeHtml(po.requisition.id)}</a></p>`
    : '';
  const body = `${TOOLBAR}
<div id="content">
<h1 class="po_number">Purchase Order #${escapeHtml(po.id)}</h1>
${notice}
<h2>Attachments</h2>
${list}
<section class="po_details">
${supplierField(po)}
${requisition}
</section>
${comments}
</div>
${SCRIPT_BUTTON_HANDLER}`;
  return { status: 200, html: htmlDocument(`Purchase Order #${po.id} - Coupa`, body, { style: PAGE_STYLE }) };
}

export function requisitionPage(requisition: SimRequisition): RenderedPage {
  const { list, comments } = attachmentSections(requisition.attachments);
  const body = `<div id="content">
<h1 class="requisition_number">Requisition #${escapeHtml(requisition.id)}</h1>
<h2>Attachments</h2>
${list}
${comments}
</div>
${SCRIPT_BUTTON_HANDLER}`;
  return { status: 200, html: htmlDocument(`Requisition #${requisition.id} - Coupa`, body, { style: PAGE_STYLE }) };
}

export function homePage(user: string): RenderedPage {
  return {
    status: 200,
    html: htmlDocument('Home', `<div id="content"><h1>Home</h1><p class="welcome">Welcome, ${escapeHtml(user)}</p></div>`),
  };
}

/**
 * Marker texts are the exact strings of the real tenant; the two element variants
 * deliberately avoid those texts so that element detection is exercised on its own.
 */
export function errorPage(variant: ErrorVariant, recordId: string): RenderedPage {
  const id = escapeHtml(recordId);
  const page = (status: number, body: string, lang = 'en'): RenderedPage => ({
    status,
    html: htmlDocument('Coupa', `<div id="content">${body}</div>`, { lang }),
  });
  switch (variant) {
    case 'oops':
      return page(404, `<h1>Oops! We couldn't find what you wanted</h1><p>The record may have been removed.</p>`);
    case 'not-authorized':
      return page(403, '<h1>You are not authorized to view this page</h1><p>Ask your Coupa administrator for access.</p>');
    case 'access-denied':
      return page(403, '<h1>Access denied</h1><p>Your role does not grant access to this record.</p>');
    case 'page-does-not-exist':
      return page(404, `<h1>The page you were looking for doesn't exist.</h1><p>You may have mistyped the address or the page may have moved.</p>`);
    case 'portuguese-not-found':
      return page(200, '<h1>Desculpe, não encontramos o que você procurava</h1><p>O registro pode ter sido removido.</p>', 'pt-BR');
    case 'flash-error':
      return page(200, `<div class="flash_error">Record ${id} is unavailable.</div><h1>Purchase Orders</h1>`);
    case 'error-explanation':
      return page(200, `<div id="error_explanation"><h2>1 error prohibited this record from being shown</h2><ul><li>Record ${id} is unavailable</li></ul></div>`);
  }
}

export function serverErrorPage(detail?: string): RenderedPage {
  const pre = detail ? `<pre>${escapeHtml(detail)}</pre>` : '';
  return { status: 500, html: htmlDocument('Coupa', `<div id="content"><h1>We're sorry, but something went wrong.</h1>${pre}</div>`) };
}

export function ssoFailedPage(why: string): RenderedPage {
  return {
    status: 401,
    html: htmlDocument(
      'Coupa',
      `<div id="content"><h1>Single sign-on failed</h1><p class="sso_error">The sign-in token ${escapeHtml(why)}. <a href="/user/home">Sign in again</a>.</p></div>`,
    ),
  };
}

export function coupaLoginPage(returnTo: string, failed: boolean): RenderedPage {
  const error = failed ? '<div class="flash_error">Invalid email or password.</div>' : '';
  const body = `<div id="content">
<h1>Sign in to Coupa</h1>
${error}
<form id="login_form" method="post" action="/sessions">
<p><label for="user_email">Email</label> <input id="user_email" name="user_email" type="text" autocomplete="username"></p>
<p><label for="user_password">Password</label> <input id="user_password" name="user_password" type="password" autocomplete="current-password"></p>
<input type="hidden" name="return_to" value="${escapeHtml(returnTo)}">
<button type="submit" id="login_button">Sign In</button>
</form>
</div>`;
  return { status: failed ? 401 : 200, html: htmlDocument('Sign in - Coupa', body) };
}
