import { Hono } from 'hono';
import { z } from 'zod';
import { generateNodeKey, issueInvoice, readInvoice } from './bolt11-invoices.ts';
import { fail, readBody, simulator, webhookSenderFor, type Simulator, type SimulatorOptions } from './simulator.ts';

/**
 * A lightning node that issues real BOLT11 invoices and pays invoices. A payment is
 * accepted at once (`pending`) and settles later with a signed webhook; the outcome is
 * chosen by the memo of an invoice this node issued: `fail` fails, `hang` never
 * settles, anything else (and any foreign invoice) succeeds. Payments are keyed by
 * payment hash, so the same invoice is never paid twice.
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

interface OwnInvoice {
  memo: string;
  preimage: string;
}

/** 21 million bitcoin in satoshis: nothing larger can be an amount. */
const MAX_SATS = 2_100_000_000_000_000;

const InvoiceBody = z.object({
  amountSats: z.number().int().positive().max(MAX_SATS),
  memo: z.string().max(639).optional(),
});

const PaymentBody = z.object({
  invoice: z.string().min(1).max(7089),
  withdrawalId: z.string().min(1).max(255),
});

export function createLightningNodeSimulator(options: SimulatorOptions): Simulator {
  const now = options.now ?? Date.now;
  const nowSeconds = () => Math.floor(now() / 1000);
  const webhooks = webhookSenderFor(options);
  const nodeKey = generateNodeKey();
  const ownInvoices = new Map<string, OwnInvoice>();
  const payments = new Map<string, LightningPayment>();
  const app = new Hono();

  app.post('/invoices', async (c) => {
    const body = await readBody(c, InvoiceBody);
    if (!body.ok) return body.response;
    const memo = body.value.memo ?? '';
    const issued = await issueInvoice({ nodeKey, amountSats: body.value.amountSats, memo, nowSeconds: nowSeconds() });
    ownInvoices.set(issued.paymentHash, { memo, preimage: issued.preimage });
    return c.json(
      {
        invoice: issued.invoice,
        paymentHash: issued.paymentHash,
        amountSats: body.value.amountSats,
        memo,
        expiresAt: new Date(issued.expiresAt * 1000).toISOString(),
        payee: issued.payee,
      },
      201,
    );
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
    const data = { withdrawalId: payment.withdrawalId, paymentHash: payment.paymentHash };
    if (own?.memo === 'fail') {
      webhooks.send({ type: 'payment.failed', data: { ...data, reason: 'no_route' }, happen: () => void (payment.status = 'failed') });
    } else if (own?.memo !== 'hang') {
      webhooks.send({
        type: 'payment.succeeded',
        data,
        happen: () => {
          payment.status = 'succeeded';
          if (own) payment.preimage = own.preimage;
        },
      });
    }
    return c.json(payment, 202);
  });

  app.get('/payments/:paymentHash', (c) => {
    const payment = payments.get(c.req.param('paymentHash').toLowerCase());
    return payment ? c.json(payment) : fail(c, 404, `no payment with hash ${c.req.param('paymentHash')}`);
  });

  return simulator(app, webhooks);
}

/** Whole satoshis (SAT precision); a sub-satoshi remainder rounds up, as a payer pays it. */
function satsOf(msat: bigint): number {
  return Number((msat + 999n) / 1000n);
}
