import { expect, test } from '@playwright/test';
import { renderMessageHtml, neutralizeHtml } from '../../support/msg/message-html.js';
import type { ParsedMessage } from '../../support/msg/parse-msg.js';

const base: ParsedMessage = {
  subject: 'Quote',
  from: 'Acme <sales@acme.example>',
  to: ['Purchasing <p@buyer.example>', 'ap@buyer.example'],
  cc: [],
  date: new Date('2024-03-05T14:30:00Z'),
  bodyText: 'Line 1\r\nLine 2',
  attachments: [],
};

/** The document without the shadow root's content: what the page itself is made of. */
const outsideBody = (html: string) => html.replace(/<template shadowrootmode="open">[\s\S]*<\/template>/, '');

test('every header value and the plain body are escaped; the body keeps its lines in <pre>', () => {
  const html = renderMessageHtml({
    ...base,
    subject: '<script>alert(1)</script> & "quoted"',
    from: 'Evil <img src=x onerror=alert(1)> <e@x.example>',
    to: ["O'Brien <ob@x.example>"],
    bodyText: 'if a < b && c > d\r\n<b>not bold</b>',
  });
  expect(html).toContain('<title>&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;quoted&#34;</title>');
  expect(html).toContain('<h1>&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;quoted&#34;</h1>');
  expect(html).toContain('<td>Evil &#60;img src=x onerror=alert(1)&#62; &#60;e@x.example&#62;</td>');
  expect(html).toContain('<td>O&#39;Brien &#60;ob@x.example&#62;</td>');
  expect(html).toContain('<pre class="body">if a &#60; b &#38;&#38; c &#62; d\n&#60;b&#62;not bold&#60;/b&#62;</pre>');
  expect(html).not.toContain('<script>');
  expect(html).not.toContain('<img');
});

test('headers: To joined, Cc only when present, unknown date and sender said so, attachments with sizes', () => {
  const html = renderMessageHtml({
    ...base,
    from: '',
    date: undefined,
    attachments: [
      { name: 'a.pdf', size: 500 },
      { name: 'b.xlsx', size: 10_000 },
      { name: 'Forwarded.msg', size: undefined },
    ],
  });
  expect(html).toContain('<tr><th>From</th><td>(unknown sender)</td></tr>');
  expect(html).toContain('<tr><th>To</th><td>Purchasing &#60;p@buyer.example&#62;; ap@buyer.example</td></tr>');
  expect(html).not.toContain('<th>Cc</th>');
  expect(html).toContain('<tr><th>Sent</th><td>(unknown)</td></tr>');
  expect(html).toContain('<ul><li>a.pdf (500 bytes)</li><li>b.xlsx (10 KB)</li><li>Forwarded.msg</li></ul>');

  const withCc = renderMessageHtml({ ...base, cc: ['x@y.example'] });
  expect(withCc).toContain('<tr><th>Cc</th><td>x@y.example</td></tr>');
  expect(withCc).toContain('<tr><th>Sent</th><td>Tue, 05 Mar 2024 14:30:00 GMT</td></tr>');
  expect(withCc).not.toContain('<th>Attachments</th>');
});

test('an empty subject and an empty body still make a readable page; the source file is named at the foot', () => {
  const html = renderMessageHtml({ ...base, subject: '  ', bodyText: '' }, { sourceName: 'RE_ <quote>.msg' });
  expect(html).toContain('<title>(no subject)</title>');
  expect(html).toContain('<pre class="body">(This message has no text.)</pre>');
  expect(html).toContain('<p class="source">Converted from RE_ &#60;quote&#62;.msg</p>');
});

test('the page forbids scripts and every load except data: images, fonts and inline styles', () => {
  const html = renderMessageHtml(base);
  expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:">`);
  expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<style>'));
});

test('an HTML body goes into a shadow root, preferred over the plain text', () => {
  const html = renderMessageHtml({ ...base, bodyText: 'plain version', bodyHtml: '<style>h1 { color: red }</style><p>html version</p>' });
  expect(html).toContain('<div class="html-body"><template shadowrootmode="open"><style>');
  expect(html).toContain('<style>h1 { color: red }</style><p>html version</p></template></div>');
  expect(html).not.toContain('plain version');
  expect(renderMessageHtml({ ...base, bodyHtml: '  ' })).toContain('<pre class="body">Line 1\nLine 2</pre>');
});

test('remote images, links, frames and refreshes in the HTML body are renamed and counted; inline images stay', () => {
  const body = [
    '<img src="https://tracker.example/p.gif?u=1">',
    "<img SRC='http://x.example/a.png' alt='a>b'>",
    '<img src=//cdn.example/logo.png>',
    '<img srcset="https://x.example/1x.png 1x">',
    '<a href="https://phish.example/login">Sign in</a>',
    '<a href="mailto:someone@x.example">mail</a>',
    '<a href="#top">top</a>',
    '<img src="cid:image001.png@01D9">',
    '<img src="data:image/png;base64,iVBORw0KGgo=">',
    '<table background="http://x.example/bg.png"><tr><td>cell</td></tr></table>',
    '<iframe src="http://x.example/frame"></iframe>',
    '<meta http-equiv="refresh" content="0;url=http://x.example/away">',
    '<link rel="stylesheet" href="http://x.example/s.css">',
    '<p>text that mentions src="http://not.an.attribute" stays text</p>',
  ].join('\n');
  const { html, blocked } = neutralizeHtml(body);
  expect(blocked).toBe(9);
  expect(html).toContain('<img data-blocked-src="https://tracker.example/p.gif?u=1">');
  expect(html).toContain("<img data-blocked-SRC='http://x.example/a.png' alt='a>b'>");
  expect(html).toContain('<img data-blocked-src=//cdn.example/logo.png>');
  expect(html).toContain('<img data-blocked-srcset="https://x.example/1x.png 1x">');
  expect(html).toContain('<a data-blocked-href="https://phish.example/login">Sign in</a>');
  expect(html).toContain('<a data-blocked-href="mailto:someone@x.example">mail</a>');
  expect(html).toContain('<a href="#top">top</a>');
  expect(html).toContain('<img src="cid:image001.png@01D9">');
  expect(html).toContain('<img src="data:image/png;base64,iVBORw0KGgo=">');
  expect(html).toContain('<table data-blocked-background="http://x.example/bg.png">');
  expect(html).toContain('<iframe data-blocked-src="http://x.example/frame"></iframe>');
  expect(html).toContain('<meta data-blocked-http-equiv="refresh" content="0;url=http://x.example/away">');
  expect(html).toContain('<link rel="stylesheet" data-blocked-href="http://x.example/s.css">');
  expect(html).toContain('<p>text that mentions src="http://not.an.attribute" stays text</p>');

  expect(renderMessageHtml({ ...base, bodyHtml: body })).toContain('<p class="blocked">9 external images or links in this message were not loaded.</p>');
  expect(renderMessageHtml({ ...base, bodyHtml: '<img src="http://x.example/a.png">' })).toContain('<p class="blocked">1 external image or link in this message was not loaded.</p>');
  expect(renderMessageHtml({ ...base, bodyHtml: '<p>no remote content</p>' })).not.toContain('class="blocked"');
});

test('an HTML body cannot close the shadow template and spill into the page', () => {
  const html = renderMessageHtml({ ...base, bodyHtml: '<p>a</p></template><style>h1 { display: none }</style></TEMPLATE >' });
  expect(outsideBody(html)).not.toContain('display: none');
  expect(html).toContain('<p>a</p>&lt;/template><style>h1 { display: none }</style>&lt;/TEMPLATE ></template>');
});
