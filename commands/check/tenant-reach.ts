import { withoutQuery } from '../../support/shared/url-text.js';

/**
 * Whether the tenant answers at all, before a browser is started: any HTTP answer counts (a
 * tenant sends a visitor without a session to its sign-in page); no answer is a network,
 * name or certificate problem the operator has to solve with their IT, not with this tool.
 */
export async function reachTenant(baseUrl: URL, timeoutMs: number): Promise<{ ok: boolean; detail: string }> {
  const shown = withoutQuery(baseUrl.href);
  try {
    const response = await fetch(baseUrl, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return { ok: true, detail: `${shown} answered (HTTP ${response.status})` };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (cause?.code ?? cause?.message ?? (error as Error).message);
    return { ok: false, detail: `${shown} could not be reached: ${why}` };
  }
}
