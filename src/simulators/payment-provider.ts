import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { Money, type MoneyJson } from '../kernel/money.ts';
import { fail, readBody, readOptionalBody, simulator, webhookSenderFor, type Simulator, type SimulatorOptions } from './simulator.ts';
import type { EventToSend } from './webhook-sender.ts';

/**
 * A card payment provider. The answer to a charge is only "accepted" (`pending`); the
 * outcome arrives later as signed webhooks, decided by the test card token:
 * `tok_visa` is charged then captured, `tok_chargeDeclined` fails, and `tok_hold` waits
 * for a test to call `POST /charges/:chargeId/capture` or `/decline`. A charge not yet
 * captured can be voided (`/cancel`, no webhook); a captured one refunded, in parts.
 * Charges and refunds need an `Idempotency-Key`, and a repeated key never charges or
 * refunds twice; the test controls and the void are idempotent by themselves.
 */
export const TEST_CARD_TOKENS = ['tok_visa', 'tok_chargeDeclined', 'tok_hold'] as const;

export type ChargeStatus = 'pending' | 'charged' | 'captured' | 'failed' | 'cancelled' | 'refunded';

export interface ChargeRefund {
  refundId: string;
  amount: MoneyJson;
  createdAt: string;
}

export interface Charge {
  chargeId: string;
  paymentId: string;
  amount: MoneyJson;
  cardToken: string;
  /** `refunded` only once the whole amount is; a partly refunded charge stays `captured`. */
  status: ChargeStatus;
  createdAt: string;
  /** Every refund taken, oldest first; never more in total than `amount`. */
  refunds: ChargeRefund[];
  /** The sum of `refunds`. */
  amountRefunded: MoneyJson;
  /** The latest refund: kept from when a charge could only be refunded once, in full. */
  refundId?: string;
}

interface Refund extends ChargeRefund {
  chargeId: string;
  paymentId: string;
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

/** No amount: whatever is left of the charge. */
const RefundBody = z.object({ amount: MoneyBody.optional() });

const IDEMPOTENCY_KEY = 'Idempotency-Key';

export function createPaymentProviderSimulator(options: SimulatorOptions): Simulator {
  const now = options.now ?? Date.now;
  const webhooks = webhookSenderFor(options);
  const charges = new Map<string, Charge>();
  // The key maps to what it first produced plus the request it came with, so a reused
  // key with another request is refused instead of silently answering the old one.
  const chargeKeys = new Map<string, { chargeId: string; fingerprint: string }>();
  const refundKeys = new Map<string, { refund: Refund; fingerprint: string }>();
  // tok_hold charges still waiting for a test to capture or decline them; leaving the set
  // is the decision, so a second capture or decline is refused even before its webhook.
  const held = new Set<string>();
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
      return fail(c, 400, `unknown test card token "${request.cardToken}" (use ${TEST_CARD_TOKENS.join(', ')})`);
    }
    const charge: Charge = {
      chargeId: `ch_${crypto.randomUUID()}`,
      ...request,
      status: 'pending',
      createdAt: new Date(now()).toISOString(),
      refunds: [],
      amountRefunded: Money.zero(request.amount.currency).toJSON(),
    };
    charges.set(charge.chargeId, charge);
    chargeKeys.set(key, { chargeId: charge.chargeId, fingerprint });
    if (request.cardToken === 'tok_visa') webhooks.send(...captureEvents(charge));
    else if (request.cardToken === 'tok_chargeDeclined') webhooks.send(declineEvent(charge));
    else held.add(charge.chargeId);
    return c.json(charge, 201);
  });

  // Test controls for a tok_hold charge. The answer is the charge as it is now (still
  // `pending`); the status moves as each webhook happens, as for any other card.
  app.post('/charges/:chargeId/capture', (c) => decideHold(c, captureEvents));
  app.post('/charges/:chargeId/decline', (c) => decideHold(c, (charge) => [declineEvent(charge)]));

  function decideHold(c: Context, events: (charge: Charge) => EventToSend[]): Response {
    const chargeId = c.req.param('chargeId') ?? '';
    const charge = charges.get(chargeId);
    if (!charge) return fail(c, 404, `no charge ${chargeId}`);
    if (!held.delete(chargeId)) {
      return fail(c, 409, `charge ${chargeId} is not a tok_hold charge awaiting capture or decline (it is ${charge.status})`);
    }
    webhooks.send(...events(charge));
    return c.json(charge, 200);
  }

  app.post('/charges/:chargeId/cancel', (c) => {
    const chargeId = c.req.param('chargeId');
    const charge = charges.get(chargeId);
    if (!charge) return fail(c, 404, `no charge ${chargeId}`);
    if (charge.status === 'cancelled') return c.json(charge, 200);
    if (charge.status !== 'pending' && charge.status !== 'charged') {
      return fail(c, 409, `charge ${chargeId} is ${charge.status}, only a charge not yet captured can be cancelled`);
    }
    // A void is silent (no webhook) and final: whatever is still queued for the charge,
    // its capture included, sees `cancelled` and is dropped (see `moveTo`).
    charge.status = 'cancelled';
    held.delete(chargeId);
    return c.json(charge, 200);
  });

  app.post('/charges/:chargeId/refunds', async (c) => {
    const key = c.req.header(IDEMPOTENCY_KEY);
    if (!key) return fail(c, 400, `the ${IDEMPOTENCY_KEY} header is required`);
    const body = await readOptionalBody(c, RefundBody);
    if (!body.ok) return body.response;
    const asked = body.value.amount;
    if (asked && Money.fromJSON(asked).isZero()) return fail(c, 400, 'a refund amount must be more than zero');
    const chargeId = c.req.param('chargeId');
    // "The rest" and an explicit amount are different requests, even where they come to the same money.
    const fingerprint = JSON.stringify([chargeId, asked ?? 'remaining']);
    const earlier = refundKeys.get(key);
    if (earlier) {
      if (earlier.fingerprint !== fingerprint) return fail(c, 422, `${IDEMPOTENCY_KEY} was already used with a different refund request`);
      return c.json(earlier.refund, 200);
    }
    const charge = charges.get(chargeId);
    if (!charge) return fail(c, 404, `no charge ${chargeId}`);
    if (charge.status === 'refunded') return fail(c, 409, `charge ${chargeId} is already refunded`);
    if (charge.status !== 'captured') return fail(c, 409, `charge ${chargeId} is ${charge.status}, only a captured charge can be refunded`);
    const total = Money.fromJSON(charge.amount);
    const refundedSoFar = Money.fromJSON(charge.amountRefunded);
    const remaining = total.subtract(refundedSoFar);
    if (asked && asked.currency !== total.currency)
      return fail(c, 400, `charge ${chargeId} is in ${total.currency}, not ${asked.currency}`);
    const amount = asked ? Money.fromJSON(asked) : remaining;
    // 409, not 422: the request is well formed and was fine before earlier refunds took
    // their share; it conflicts with what is left of the charge now.
    if (amount.isGreaterThan(remaining)) {
      return fail(c, 409, `refund of ${amount} exceeds the ${remaining} left to refund on charge ${chargeId}`);
    }
    // The refund is taken at once, so what is left is right for the next request;
    // the webhook only reports it.
    const refund: Refund = {
      refundId: `re_${crypto.randomUUID()}`,
      chargeId,
      paymentId: charge.paymentId,
      amount: amount.toJSON(),
      createdAt: new Date(now()).toISOString(),
    };
    const refundedNow = refundedSoFar.add(amount);
    charge.refunds.push({ refundId: refund.refundId, amount: refund.amount, createdAt: refund.createdAt });
    charge.amountRefunded = refundedNow.toJSON();
    charge.refundId = refund.refundId;
    if (refundedNow.equals(total)) charge.status = 'refunded';
    refundKeys.set(key, { refund, fingerprint });
    webhooks.send({
      type: 'payment.refunded',
      data: { paymentId: charge.paymentId, providerChargeId: chargeId, refundId: refund.refundId, amount: refund.amount },
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

function captureEvents(charge: Charge): EventToSend[] {
  const data = chargeData(charge);
  return [
    { type: 'payment.charged', data, happen: moveTo(charge, 'charged') },
    { type: 'payment.captured', data, happen: moveTo(charge, 'captured') },
  ];
}

function declineEvent(charge: Charge): EventToSend {
  return { type: 'payment.failed', data: { ...chargeData(charge), reason: 'card_declined' }, happen: moveTo(charge, 'failed') };
}

function chargeData(charge: Charge): Record<string, unknown> {
  return { paymentId: charge.paymentId, providerChargeId: charge.chargeId, amount: charge.amount };
}

/** The event's state change; a charge voided meanwhile stays voided and the event is dropped. */
function moveTo(charge: Charge, status: ChargeStatus): () => boolean {
  return () => {
    if (charge.status === 'cancelled') return false;
    charge.status = status;
    return true;
  };
}

function isTestToken(token: string): token is (typeof TEST_CARD_TOKENS)[number] {
  return (TEST_CARD_TOKENS as readonly string[]).includes(token);
}
