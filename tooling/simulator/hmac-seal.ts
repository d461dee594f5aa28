import crypto from 'node:crypto';

/**
 * Values the simulator hands out and later trusts (SSO tokens, the IdP's stay-signed-in
 * cookie): the payload in clear plus an HMAC-SHA256 over purpose and payload, so a token
 * can never be replayed as a cookie or the other way round.
 */
export function seal(secret: Buffer, purpose: string, payload: string): string {
  return `${Buffer.from(payload, 'utf8').toString('base64url')}.${mac(secret, purpose, payload)}`;
}

/** The payload if the value was sealed with this secret and purpose, else undefined. */
export function unseal(secret: Buffer, purpose: string, value: string): string | undefined {
  const dot = value.indexOf('.');
  if (dot <= 0) return undefined;
  const payload = Buffer.from(value.slice(0, dot), 'base64url').toString('utf8');
  const given = Buffer.from(value.slice(dot + 1), 'base64url');
  const expected = Buffer.from(mac(secret, purpose, payload), 'base64url');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected) ? payload : undefined;
}

function mac(secret: Buffer, purpose: string, payload: string): string {
  return crypto.createHmac('sha256', secret).update(`${purpose}\n${payload}`).digest('base64url');
}
