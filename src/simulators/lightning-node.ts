import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { createAlarms } from './alarms.ts';
import { generateNodeKey, issueInvoice, MAX_INVOICE_EXPIRY_SECONDS, readInvoice } from './bolt11-invoices.ts';
import { fail, readBody, simulator, webhookSenderFor, type Simulator, type SimulatorOptions } from './simulator.ts';
import type { EventToSend } from './webhook-sender.ts';

/**
 * A lightning node that issues real BOLT11 invoices and pays invoices. A payment is
 * accepted at once (`pending`) and settles later with a signed webhook; the outcome is
 * chosen by the memo of an invoice this node issued: `fail` fails, `hang` stays pending
 * until the invoice expires and then fails, `hold` waits for a test to call
 * `POST /payments/:paymentHash/settle` or `/cancel`, anything else (and any foreign
 * invoice) succeeds. Payments are keyed by payment hash, so the same invoice is never
 * paid twice. `POST /invoices/:paymentHash/pay` plays an outside payer paying one of the
 * node's own invoices (a deposit), which the node reports with `invoice.paid`.
 */
export type LightningPaymentStatus = 'pending' | 'succeeded' | 'failed';

export interface LightningPayment {
  paymentHash: string;
  withdrawalId: string;
  status: LightningPaymentStatus;
  amountSats: number;
  createdAt: string;
  /** Proof of payment, known once a payment of one of this node's own invoices succeeded. */
  preimage?: string;
}

export type InvoiceStatus = 'open' | 'paid' | 'expired';

interface OwnInvoice {
  invoice: string;
  paymentHash: string;
  amountSats: number;
  memo: string;
  preimage: string;
  /** Unix seconds, as in the invoice itself. */
  expiresAt: number;
  /** Paid by an outside payer (`/invoices/:paymentHash/pay`). */
  paid: boolean;
}

/** 21 million bitcoin in satoshis: nothing larger can be an amount. */
const MAX_SATS = 2_100_000_000_000_000;

const InvoiceBody = z.object({
  amountSats: z.number().int().positive().max(MAX_SATS),
  memo: z.string().max(639).optional(),
  expirySeconds: z.number().int().min(1).max(MAX_INVOICE_EXPIRY_SECONDS).optional(),
});

const PaymentBody = z.object({
  invoice: z.string().min(1).max(7089),
  withdrawalId: z.string().min(1).max(255),
});

export function createLightningNodeSimulator(options: SimulatorOptions): Simulator {
  const now = options.now ?? Date.now;
  const nowSeconds = () => Math.floor(now() / 1000);
  const webhooks = webhookSenderFor(options);
  const alarms = createAlarms(now);
  const nodeKey = generateNodeKey();
  const ownInvoices = new Map<string, OwnInvoice>();
  const payments = new Map<string, LightningPayment>();
  // Payments of `hold` invoices still waiting for a test to settle or cancel them; leaving
  // the set is the decision, so a second settle or cancel is refused even before its webhook.
  const held = new Set<string>();
  const app = new Hono();

  app.post('/invoices', async (c) => {
    const body = await readBody(c, InvoiceBody);
    if (!body.ok) return body.response;
    const { amountSats, expirySeconds } = body.value;
    const memo = body.value.memo ?? '';
    const issued = await issueInvoice({ nodeKey, amountSats, memo, nowSeconds: nowSeconds(), expirySeconds });
    ownInvoices.set(issued.paymentHash, {
      invoice: issued.invoice,
      paymentHash: issued.paymentHash,
      amountSats,
      memo,
      preimage: issued.preimage,
      expiresAt: issued.expiresAt,
      paid: false,
    });
    return c.json(
      {
        invoice: issued.invoice,
        paymentHash: issued.paymentHash,
        amountSats,
        memo,
        expiresAt: isoSeconds(issued.expiresAt),
        payee: issued.payee,
      },
      201,
    );
  });

  app.get('/invoices/:paymentHash', (c) => {
    const own = ownInvoices.get(c.req.param('paymentHash').toLowerCase());
    return own ? c.json(invoiceView(own)) : fail(c, 404, `no invoice with hash ${c.req.param('paymentHash')} issued by this node`);
  });

  // Test control: someone outside pays one of our invoices (a deposit). Marked paid at
  // once, so a second payer is refused; the webhook reports it.
  app.post('/invoices/:paymentHash/pay', (c) => {
    const own = ownInvoices.get(c.req.param('paymentHash').toLowerCase());
    if (!own) return fail(c, 404, `no invoice with hash ${c.req.param('paymentHash')} issued by this node`);
    if (own.paid) return fail(c, 409, `invoice ${own.paymentHash} is already paid`);
    if (own.expiresAt <= nowSeconds()) return fail(c, 422, 'invoice has expired');
    own.paid = true;
    webhooks.send({ type: 'invoice.paid', data: { paymentHash: own.paymentHash, amountSats: own.amountSats } });
    return c.json({ paymentHash: own.paymentHash, amountSats: own.amountSats, status: 'paid' }, 200);
  });

  app.post('/payments', async (c) => {
    const body = await readBody(c, PaymentBody);
    if (!body.ok) return body.response;
    let invoice: ReturnType<typeof readInvoice>;
    try {
      invoice = readInvoice(body.value.invoice);
    } catch (error) {
      return fail(c, 400, `malformed invoice: ${error instanceof Error ? error.message : String(error)}`);
    }
    // Checked before expiry and amount: a repeat of a payment already made is answered
    // with that payment, whatever has happened to the invoice since.
    const existing = payments.get(invoice.paymentHash);
    if (existing) return c.json(existing, 200);
    if (invoice.amountMsat === undefined) return fail(c, 422, 'invoice has no amount; this node pays only invoices with one');
    const amountSats = satsOf(invoice.amountMsat);
    if (amountSats > MAX_SATS) return fail(c, 422, 'invoice asks for more bitcoin than exists');
    if (invoice.expiresAt <= nowSeconds()) return fail(c, 422, 'invoice has expired');

    const payment: LightningPayment = {
      paymentHash: invoice.paymentHash,
      withdrawalId: body.value.withdrawalId,
      status: 'pending',
      amountSats,
      createdAt: new Date(now()).toISOString(),
    };
    payments.set(payment.paymentHash, payment);
    const own = ownInvoices.get(payment.paymentHash);
    if (own?.memo === 'fail') {
      webhooks.send(failure(payment, 'no_route'));
    } else if (own?.memo === 'hang') {
      // Stuck in flight until the invoice expires: past that no one can settle it, so it fails.
      alarms.at(invoice.expiresAt * 1000, () => webhooks.send(failure(payment, 'invoice_expired')));
    } else if (own?.memo === 'hold') {
      held.add(payment.paymentHash);
    } else {
      webhooks.send(success(payment, own));
    }
    return c.json(payment, 202);
  });

  // Test controls for a `hold` payment. The answer is the payment as it is now (still
  // `pending`); the status moves when its webhook happens, as for any other payment.
  app.post('/payments/:paymentHash/settle', (c) => decideHold(c, (payment) => success(payment, ownInvoices.get(payment.paymentHash))));
  app.post('/payments/:paymentHash/cancel', (c) => decideHold(c, (payment) => failure(payment, 'cancelled')));

  function decideHold(c: Context, event: (payment: LightningPayment) => EventToSend): Response {
    const paymentHash = (c.req.param('paymentHash') ?? '').toLowerCase();
    const payment = payments.get(paymentHash);
    if (!payment) return fail(c, 404, `no payment with hash ${paymentHash}`);
    if (!held.delete(paymentHash)) return fail(c, 409, `payment ${paymentHash} is not a pending hold payment (it is ${payment.status})`);
    webhooks.send(event(payment));
    return c.json(payment, 200);
  }

  /** Every payment this node made or tried, for reconciliation and invariant checks. */
  app.get('/payments', (c) => c.json({ payments: [...payments.values()] }));

  app.get('/payments/:paymentHash', (c) => {
    const payment = payments.get(c.req.param('paymentHash').toLowerCase());
    return payment ? c.json(payment) : fail(c, 404, `no payment with hash ${c.req.param('paymentHash')}`);
  });

  function invoiceView(own: OwnInvoice) {
    const status: InvoiceStatus = own.paid ? 'paid' : own.expiresAt <= nowSeconds() ? 'expired' : 'open';
    const { invoice, paymentHash, amountSats, memo } = own;
    return { paymentHash, invoice, amountSats, memo, expiresAt: isoSeconds(own.expiresAt), status };
  }

  return simulator(app, webhooks, alarms.clear);
}

function success(payment: LightningPayment, own: OwnInvoice | undefined): EventToSend {
  return {
    type: 'payment.succeeded',
    data: { withdrawalId: payment.withdrawalId, paymentHash: payment.paymentHash },
    happen: () => {
      payment.status = 'succeeded';
      // Only the payee knows the preimage: we do when the invoice was our own.
      if (own) payment.preimage = own.preimage;
    },
  };
}

function failure(payment: LightningPayment, reason: string): EventToSend {
  return {
    type: 'payment.failed',
    data: { withdrawalId: payment.withdrawalId, paymentHash: payment.paymentHash, reason },
    happen: () => void (payment.status = 'failed'),
  };
}

function isoSeconds(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString();
}

/** Whole satoshis (SAT precision); a sub-satoshi remainder rounds up, as a payer pays it. */
function satsOf(msat: bigint): number {
  return Number((msat + 999n) / 1000n);
}
