import crypto from 'node:crypto';
import { test, expect } from '@playwright/test';
import { CoupaSessions } from '../../tooling/simulator/coupa-sessions.js';
import { seal, unseal } from '../../tooling/simulator/hmac-seal.js';
import { stayCookieUser, stayCookieValue } from '../../tooling/simulator/idp-server.js';
import { SsoTokens } from '../../tooling/simulator/sso-tokens.js';

const secret = crypto.randomBytes(32);

test.describe('SSO tokens', () => {
  test('redeem once for the user they were issued to', () => {
    const tokens = new SsoTokens(secret);
    const token = tokens.issue('a|b@example.com');
    expect(tokens.redeem(token)).toEqual({ ok: true, user: 'a|b@example.com' });
    expect(tokens.redeem(token)).toEqual({ ok: false, reason: 'used' });
  });

  test('expire after their lifetime', () => {
    let now = 1_000_000;
    const tokens = new SsoTokens(secret, 60_000, () => now);
    const late = tokens.issue('u');
    const onTime = tokens.issue('u');
    now += 60_000;
    expect(tokens.redeem(onTime)).toEqual({ ok: true, user: 'u' });
    now += 1;
    expect(tokens.redeem(late)).toEqual({ ok: false, reason: 'expired' });
  });

  test('reject tampering, other secrets and values sealed for another purpose', () => {
    const tokens = new SsoTokens(secret);
    const token = tokens.issue('operator');
    const [payload, mac] = token.split('.') as [string, string];
    const forged = Buffer.from(Buffer.from(payload, 'base64url').toString().replace('operator', 'admin')).toString('base64url');
    expect(tokens.redeem(`${forged}.${mac}`)).toEqual({ ok: false, reason: 'invalid' });
    expect(new SsoTokens(crypto.randomBytes(32)).redeem(token)).toEqual({ ok: false, reason: 'invalid' });
    expect(tokens.redeem(stayCookieValue(secret, 'operator', Date.now()))).toEqual({ ok: false, reason: 'invalid' });
    expect(tokens.redeem('garbage')).toEqual({ ok: false, reason: 'invalid' });
  });
});

test.describe('sealed values', () => {
  test('open only with the same secret and purpose', () => {
    const value = seal(secret, 'p', 'payload');
    expect(unseal(secret, 'p', value)).toBe('payload');
    expect(unseal(secret, 'q', value)).toBeUndefined();
    expect(unseal(crypto.randomBytes(32), 'p', value)).toBeUndefined();
    const dot = value.indexOf('.');
    const flipped = value[dot + 1] === 'A' ? 'B' : 'A';
    expect(unseal(secret, 'p', `${value.slice(0, dot + 1)}${flipped}${value.slice(dot + 2)}`)).toBeUndefined();
  });

  test('the stay-signed-in cookie lasts 30 days', () => {
    const now = Date.now();
    const value = stayCookieValue(secret, 'operator', now);
    expect(stayCookieUser(secret, value, now + 29 * 86_400_000)).toBe('operator');
    expect(stayCookieUser(secret, value, now + 31 * 86_400_000)).toBeUndefined();
    expect(stayCookieUser(crypto.randomBytes(32), value, now)).toBeUndefined();
  });
});

test.describe('Coupa sessions', () => {
  test('serve exactly their allowance of requests, then are gone', () => {
    const sessions = new CoupaSessions();
    const id = sessions.create('operator');
    expect([1, 2, 3].map(() => sessions.use(id, 3))).toEqual(['operator', 'operator', 'operator']);
    expect(sessions.use(id, 3)).toBeUndefined();
    expect(sessions.use(id, 0)).toBeUndefined();
  });

  test('are unlimited with 0 and unknown for values never issued', () => {
    const sessions = new CoupaSessions();
    const id = sessions.create('operator');
    for (let i = 0; i < 100; i++) expect(sessions.use(id, 0)).toBe('operator');
    expect(sessions.use('f'.repeat(48), 0)).toBeUndefined();
    expect(sessions.use(undefined, 0)).toBeUndefined();
  });
});
