import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from '../../src/platform/http/webhook-signature.ts';

const secret = 'whsec-test-secret-0123456789';
const body = JSON.stringify({ id: 'evt_1', type: 'payment.captured', data: { paymentId: 'p1' } });
const now = 1_800_000_000;

describe('webhook signatures', () => {
  it('accepts a body signed with the secret within the window', async () => {
    const header = await signWebhook(secret, body, now - 299);
    expect(await verifyWebhookSignature({ secret, header, rawBody: body, nowSeconds: now })).toEqual({ ok: true });
  });

  it('refuses a tampered body, a wrong secret, a stale or future timestamp, and a missing header', async () => {
    const header = await signWebhook(secret, body, now);
    const check = (overrides: Partial<Parameters<typeof verifyWebhookSignature>[0]>) =>
      verifyWebhookSignature({ secret, header, rawBody: body, nowSeconds: now, ...overrides });

    expect(await check({ rawBody: body.replace('p1', 'p2') })).toMatchObject({ ok: false, reason: 'signature does not match' });
    expect(await check({ secret: 'another-secret-0123456789' })).toMatchObject({ ok: false, reason: 'signature does not match' });
    expect(await check({ nowSeconds: now + 600 })).toMatchObject({ ok: false, reason: expect.stringMatching(/300s/) });
    expect(await check({ nowSeconds: now - 301 })).toMatchObject({ ok: false });
    expect(await check({ header: undefined })).toMatchObject({ ok: false, reason: 'missing Webhook-Signature header' });
    expect(await check({ header: 'v1=abc' })).toMatchObject({ ok: false, reason: 'malformed Webhook-Signature header' });
    // A valid signature moved to another timestamp no longer matches.
    const [, v1] = header.split(',');
    expect(await check({ header: `t=${now - 1},${v1}` })).toMatchObject({ ok: false, reason: 'signature does not match' });
  });
});
