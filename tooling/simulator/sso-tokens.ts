import crypto from 'node:crypto';
import { seal, unseal } from './hmac-seal.js';

export type RedeemResult = { ok: true; user: string } | { ok: false; reason: 'invalid' | 'expired' | 'used' };

/**
 * The one-time tokens the IdP appends to its redirect back to Coupa: HMAC-signed
 * `user|expiry|nonce`, valid for a short time and only once, so a captured callback URL
 * cannot be replayed.
 */
export class SsoTokens {
  private readonly redeemed = new Map<string, number>();

  constructor(
    private readonly secret: Buffer,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  issue(user: string): string {
    const nonce = crypto.randomBytes(12).toString('hex');
    return seal(this.secret, 'sso-token', `${user}|${this.now() + this.ttlMs}|${nonce}`);
  }

  redeem(token: string): RedeemResult {
    const payload = unseal(this.secret, 'sso-token', token);
    const match = payload?.match(/^(.*)\|(\d+)\|([0-9a-f]+)$/s);
    if (!match) return { ok: false, reason: 'invalid' };
    const [, user, expiry, nonce] = match as unknown as [string, string, string, string];
    const now = this.now();
    if (now > Number(expiry)) return { ok: false, reason: 'expired' };
    this.forgetExpired(now);
    if (this.redeemed.has(nonce)) return { ok: false, reason: 'used' };
    this.redeemed.set(nonce, Number(expiry));
    return { ok: true, user };
  }

  /** An expired nonce can be forgotten: its token fails the expiry check anyway. */
  private forgetExpired(now: number): void {
    for (const [nonce, expiry] of this.redeemed) if (expiry < now) this.redeemed.delete(nonce);
  }
}
