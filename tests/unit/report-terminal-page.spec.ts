import { expect, test } from '@playwright/test';
import { ansiToHtml, stripAnsi, summaryFromTerminalLog, terminalPageHtml } from '../../tooling/screenshots/terminal-page.js';

test('ANSI colours become spans, other control sequences go, and text is escaped', () => {
  expect(ansiToHtml('\u001b[31mFAILED 2\u001b[0m · <ok> & done')).toBe('<span style="color:#ff7b72;">FAILED 2</span> · &lt;ok&gt; &amp; done');
  expect(ansiToHtml('\u001b[1mRun summary\u001b[0m')).toBe('<span style="font-weight:bold;">Run summary</span>');
  expect(ansiToHtml('\u001b[2K\u001b[1Aprogress')).toBe('progress');
  // An unclosed colour is closed at the end.
  expect(ansiToHtml('\u001b[32myes')).toBe('<span style="color:#7ee787;">yes</span>');
  expect(stripAnsi('\u001b[33mTIMEOUT 1\u001b[0m')).toBe('TIMEOUT 1');
});

test('the summary block is cut from a captured log, after the last redrawn progress line', () => {
  const log = [
    '[demo] running the job',
    '\u001b[2K[####----] 12/29\r\u001b[2K[########] 29/29',
    'Run summary',
    '  old run',
    'Windows: …',
    '\u001b[1mRun summary\u001b[0m',
    '  Run       2025-03-04 10:00:00 → 10:02:00 (2m 00s)',
    '  Status    \u001b[32mCOMPLETED 4\u001b[0m',
    '',
  ].join('\n');
  expect(summaryFromTerminalLog(log)).toBe(['\u001b[1mRun summary\u001b[0m', '  Run       2025-03-04 10:00:00 → 10:02:00 (2m 00s)', '  Status    \u001b[32mCOMPLETED 4\u001b[0m'].join('\n'));
  expect(summaryFromTerminalLog('no summary here\n')).toBeUndefined();
});

test('the terminal page shows the text with its title, escaped', () => {
  const html = terminalPageHtml('end of the run: <run>', 'a < b');
  expect(html).toContain('&nbsp;end of the run: &lt;run&gt;</div>');
  expect(html).toContain('<pre>a &lt; b</pre>');
});
