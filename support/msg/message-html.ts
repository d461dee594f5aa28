import type { MessageAttachment, ParsedMessage } from './parse-msg.js';

export interface RenderOptions {
  /** File name of the .msg, printed at the foot so a PDF can be traced to its source. */
  sourceName?: string;
}

/**
 * Everything a supplier's e-mail may contain is untrusted. The page allows no script and
 * no load from anywhere but `data:` (Content-Security-Policy, which the HTML body inherits),
 * the HTML body lives in a shadow root so its styles cannot restyle the header, and its
 * URL-bearing attributes are renamed so nothing in it is fetched or clickable in the PDF.
 */
const CONTENT_SECURITY_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:";

const PAGE_STYLE = `
@page { size: A4; margin: 16mm 14mm; }
body { margin: 0; font-family: Arial, Helvetica, sans-serif; font-size: 10.5pt; color: #222; }
h1 { margin: 0 0 8pt; font-size: 15pt; overflow-wrap: anywhere; }
table.headers { width: 100%; border-collapse: collapse; margin-bottom: 8pt; }
table.headers th { width: 6.5em; padding: 2pt 8pt 2pt 0; text-align: left; vertical-align: top; font-weight: normal; color: #555; }
table.headers td { padding: 2pt 0; overflow-wrap: anywhere; }
table.headers ul { margin: 0; padding-left: 1.2em; }
p.blocked { margin: 0 0 8pt; padding: 4pt 6pt; background: #fff4d6; font-size: 9pt; }
hr { border: 0; border-top: 1px solid #bbb; margin: 0 0 10pt; }
pre.body { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; font-family: Consolas, "Courier New", monospace; font-size: 9.5pt; }
p.source { margin-top: 14pt; color: #777; font-size: 8pt; overflow-wrap: anywhere; }
`;

const SHADOW_STYLE = ':host { display: block; overflow-wrap: anywhere; } img, table { max-width: 100%; } img { height: auto; }';

const TAG = /<[a-zA-Z][^>]*>/g;
const URL_ATTRIBUTE = /(\s)((?:xlink:)?href|src|srcset|background|poster|action|formaction|data|longdesc|lowsrc|dynsrc|ping|cite|http-equiv)(\s*=\s*)("[^"]*"|'[^']*'|[^\s"'=<>`]+)/gi;
/** Inline images, in-page anchors and `cid:` references (which resolve to nothing here) stay. */
const LOCAL_REFERENCE = /^\s*(data:image\/|#|cid:)/i;

/** A standalone HTML document showing the message's headers, attachments and body. Pure. */
export function renderMessageHtml(message: ParsedMessage, options: RenderOptions = {}): string {
  const rows: Array<[string, string]> = [
    ['From', escapeHtml(message.from || '(unknown sender)')],
    ['To', escapeHtml(message.to.join('; ') || '(none)')],
  ];
  if (message.cc.length > 0) rows.push(['Cc', escapeHtml(message.cc.join('; '))]);
  rows.push(['Sent', escapeHtml(message.date ? message.date.toUTCString() : '(unknown)')]);
  if (message.attachments.length > 0) {
    rows.push(['Attachments', `<ul>${message.attachments.map((attachment) => `<li>${escapeHtml(attachmentLabel(attachment))}</li>`).join('')}</ul>`]);
  }

  let body: string;
  let blocked = 0;
  if (message.bodyHtml !== undefined && message.bodyHtml.trim() !== '') {
    const safe = neutralizeHtml(message.bodyHtml);
    blocked = safe.blocked;
    body = `<div class="html-body"><template shadowrootmode="open"><style>${SHADOW_STYLE}</style>${safe.html}</template></div>`;
  } else {
    body = `<pre class="body">${escapeHtml(message.bodyText.replace(/\r\n?/g, '\n')) || '(This message has no text.)'}</pre>`;
  }

  const subject = message.subject.trim() || '(no subject)';
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`,
    `<title>${escapeHtml(subject)}</title>`,
    `<style>${PAGE_STYLE}</style>`,
    '</head><body>',
    `<h1>${escapeHtml(subject)}</h1>`,
    `<table class="headers">${rows.map(([label, value]) => `<tr><th>${label}</th><td>${value}</td></tr>`).join('')}</table>`,
    blocked > 0
      ? `<p class="blocked">${blocked} external image${blocked === 1 ? '' : 's'} or link${blocked === 1 ? '' : 's'} in this message ${blocked === 1 ? 'was' : 'were'} not loaded.</p>`
      : '',
    '<hr>',
    body,
    options.sourceName ? `<p class="source">Converted from ${escapeHtml(options.sourceName)}</p>` : '',
    '</body></html>',
  ].join('\n');
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function attachmentLabel(attachment: MessageAttachment): string {
  if (attachment.size === undefined) return attachment.name;
  const size = attachment.size < 1024 ? `${attachment.size} bytes` : `${Math.ceil(attachment.size / 1024)} KB`;
  return `${attachment.name} (${size})`;
}

/**
 * Renames every attribute that would load or link something outside the document
 * (`src` → `data-blocked-src`), counting the remote ones, and keeps the body from closing
 * the template it is parsed in. The policy above already stops every load; this also
 * takes the links out of the PDF and stops a `<meta http-equiv=refresh>` from leaving.
 */
export function neutralizeHtml(html: string): { html: string; blocked: number } {
  let blocked = 0;
  const rewritten = html.replace(TAG, (tag) =>
    tag.replace(URL_ATTRIBUTE, (attribute, space: string, name: string, equals: string, quoted: string) => {
      const value = quoted.replace(/^["']|["']$/g, '');
      if (name.toLowerCase() === 'http-equiv') return `${space}data-blocked-${name}${equals}${quoted}`;
      if (LOCAL_REFERENCE.test(value)) return attribute;
      if (value.trim() !== '') blocked++;
      return `${space}data-blocked-${name}${equals}${quoted}`;
    }),
  );
  return { html: rewritten.replace(/<\/(template)/gi, '&lt;/$1'), blocked };
}
