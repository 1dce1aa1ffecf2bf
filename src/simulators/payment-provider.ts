import { Hono } from 'hono';
import { z } from 'zod';
import { Money, type MoneyJson } from '../kernel/money.ts';
import { fail, readBody, simulator, webhookSenderFor, type Simulator, type SimulatorOptions } from './simulator.ts';

/**
 * A card payment provider. The answer to a charge is only "accepted" (`pending`); the
 * outcome arrives later as signed webhooks, decided by the test card token:
 * `tok_visa` is charged then captured, `tok_chargeDeclined` fails. Every mutating call
 * needs an `Idempotency-Key`, and a repeated key never charges or refunds twice.
 */
export const TEST_CARD_TOKENS = ['tok_visa', 'tok_chargeDeclined'] as const;

export type ChargeStatus = 'pending' | 'charged' | 'captured' | 'failed' | 'refunded';

export interface Charge {
  chargeId: string;
  paymentId: string;
  amount: MoneyJson;
  cardToken: string;
  status: ChargeStatus;
  createdAt: string;
  refundId?: string;
}

interface Refund {
  refundId: string;
  chargeId: string;
  paymentId: string;
  amount: MoneyJson;
  createdAt: string;
}

const MoneyBody = z.object({ amount: z.string(), currency: z.string() }).transform((value, ctx) => {
  try {
    return Money.of(value.amount, value.currency).toJSON();
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : 'invalid money' });
    return z.NEVER;
  }
});

const ChargeBody = z.object({
  paymentId: z.string().min(1).max(255),
  amount: MoneyBody,
  cardToken: z.string().min(1),
});

const IDEMPOTENCY_KEY = 'Idempotency-Key';

export function createPaymentProviderSimulator(options: SimulatorOptions): Simulator {
  const now = options.now ?? Date.now;
  const webhooks = webhookSenderFor(options);
  const charges = new Map<string, Charge>();
  // The key maps to what it first produced plus the request it came with, so a reused
  // key with another request is refused instead of silently answering the old one.
  const chargeKeys = new Map<string, { chargeId: string; fingerprint: string }>();
  const refundKeys = new Map<string, Refund>();
  const app = new Hono();

  app.post('/charges', async (c) => {
    const key = c.req.header(IDEMPOTENCY_KEY);
    if (!key) return fail(c, 400, `the ${IDEMPOTENCY_KEY} header is required`);
    const body = await readBody(c, ChargeBody);
    if (!body.ok) return body.response;
    const request = body.value;
    const fingerprint = JSON.stringify([request.paymentId, request.amount, request.cardToken]);
    const earlier = chargeKeys.get(key);
    if (earlier) {
      if (earlier.fingerprint !== fingerprint) return fail(c, 422, `${IDEMPOTENCY_KEY} was already used with a different request`);
      return c.json(charges.get(earlier.chargeId), 200);
    }
    if (!isTestToken(request.cardToken)) {
      return fail(c, 400, `unknown test card token "${request.cardToken}" (use ${TEST_CARD_TOKENS.join(' or ')})`);
    }
    const charge: Charge = {
      chargeId: `ch_${crypto.randomUUID()}`,
      ...request,
      status: 'pending',
      createdAt: new Date(now()).toISOString(),
    };
    charges.set(charge.chargeId, charge);
    chargeKeys.set(key, { chargeId: charge.chargeId, fingerprint });
    const data = { paymentId: charge.paymentId, providerChargeId: charge.chargeId, amount: charge.amount };
    if (request.cardToken === 'tok_visa') {
      webhooks.send(
        { type: 'payment.charged', data, happen: () => void (charge.status = 'charged') },
        { type: 'payment.captured', data, happen: () => void (charge.status = 'captured') },
      );
    } else {
      webhooks.send({ type: 'payment.failed', data: { ...data, reason: 'card_declined' }, happen: () => void (charge.status = 'failed') });
    }
    return c.json(charge, 201);
  });

  app.post('/charges/:chargeId/refunds', (c) => {
    const key = c.req.header(IDEMPOTENCY_KEY);
    if (!key) return fail(c, 400, `the ${IDEMPOTENCY_KEY} header is required`);
    const chargeId = c.req.param('chargeId');
    const earlier = refundKeys.get(key);
    if (earlier) {
      if (earlier.chargeId !== chargeId) return fail(c, 422, `${IDEMPOTENCY_KEY} was already used to refund another charge`);
      return c.json(earlier, 200);
    }
    const charge = charges.get(chargeId);
    if (!charge) return fail(c, 404, `no charge ${chargeId}`);
    if (charge.status === 'refunded') return fail(c, 409, `charge ${chargeId} is already refunded`);
    if (charge.status !== 'captured') return fail(c, 409, `charge ${chargeId} is ${charge.status}, only a captured charge can be refunded`);
    // The refund is taken at once, so a second refund with another key is refused;
    // the webhook only reports it.
    const refund: Refund = {
      refundId: `re_${crypto.randomUUID()}`,
      chargeId,
      paymentId: charge.paymentId,
      amount: charge.amount,
      createdAt: new Date(now()).toISOString(),
    };
    charge.status = 'refunded';
    charge.refundId = refund.refundId;
    refundKeys.set(key, refund);
    webhooks.send({
      type: 'payment.refunded',
      data: { paymentId: charge.paymentId, providerChargeId: chargeId, refundId: refund.refundId, amount: charge.amount },
    });
    return c.json(refund, 201);
  });

  app.get('/charges', (c) => {
    const paymentId = c.req.query('paymentId');
    const found = [...charges.values()].filter((charge) => paymentId === undefined || charge.paymentId === paymentId);
    return c.json({ charges: found });
  });

  app.get('/charges/:chargeId', (c) => {
    const charge = charges.get(c.req.param('chargeId'));
    return charge ? c.json(charge) : fail(c, 404, `no charge ${c.req.param('chargeId')}`);
  });

  return simulator(app, webhooks);
}

function isTestToken(token: string): token is (typeof TEST_CARD_TOKENS)[number] {
  return (TEST_CARD_TOKENS as readonly string[]).includes(token);
}
