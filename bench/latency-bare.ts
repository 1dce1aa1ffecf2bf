/**
 * The baseline of `npm run bench -- latency`: a bare Hono app on raw `pg` and a bare
 * Temporal client, doing the same database work as the platform's routes with none of
 * the platform around it (no auth, no zod, no unit of work, no idempotency keys, no
 * problem+json). Its SQL is written out by hand here on purpose: it is the reference the
 * platform's generated statements are measured against.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { Hono } from 'hono';
import { decode } from 'light-bolt11-decoder';
import type pg from 'pg';
import { OUTBOX_CHANNEL } from '../src/platform/db/outbox-channel.ts';

/** The bid's write in one round trip, as the platform's auction writer does it: row, bid, events, outbox, NOTIFY. */
const WRITE_BID = `WITH written AS (
    UPDATE auctions SET current_price_minor = $3, leader_id = $4, bid_count = bid_count + 1, version = $5
    WHERE id = $1 AND version = $2 RETURNING 1
  ), new_bid AS (
    INSERT INTO bids (id, auction_id, bidder_id, amount_minor, placed_at) SELECT $6, $1, $4, $3, now() FROM written
  ), appended AS (
    INSERT INTO event_store (event_id, aggregate_type, aggregate_id, aggregate_version, event_type, payload)
    SELECT * FROM unnest($7::uuid[], $8::text[], $9::text[], $10::int[], $11::text[], $12::jsonb[])
  ), enqueued AS (
    INSERT INTO outbox (message_id, message_type, payload) SELECT * FROM unnest($7::uuid[], $11::text[], $12::jsonb[])
  ), notified AS (SELECT pg_notify($13, NULL))
  SELECT (SELECT count(*)::int FROM written) AS written, (SELECT count(*) FROM notified) AS notified`;

/** The payment's fact in one round trip: row, event, outbox. */
const WRITE_CHARGED = `WITH written AS (
    UPDATE payments SET status = 'charged', provider_charge_id = $3, version = $2 + 1 WHERE id = $1 AND version = $2 RETURNING 1
  ), appended AS (
    INSERT INTO event_store (event_id, aggregate_type, aggregate_id, aggregate_version, event_type, payload)
    VALUES ($4, 'Payment', $1, $2 + 1, 'PaymentCharged', $5)
  ), enqueued AS (
    INSERT INTO outbox (message_id, message_type, payload) VALUES ($4, 'PaymentCharged', $5)
  ), notified AS (SELECT pg_notify($6, NULL))
  SELECT (SELECT count(*)::int FROM written) AS written, (SELECT count(*) FROM notified) AS notified`;

/** A withdrawal's request in one round trip, as the platform's unit of work records it: row, event, outbox, NOTIFY. */
const WRITE_WITHDRAWAL = `WITH written AS (
    INSERT INTO withdrawals (id, account_id, customer_id, amount_minor, invoice, payment_hash, invoice_expires_at, status, reason, version)
    VALUES ($1, $2, $2, $3, $4, $5, $6, 'pending', NULL, 1)
  ), appended AS (
    INSERT INTO event_store (event_id, aggregate_type, aggregate_id, aggregate_version, event_type, payload)
    VALUES ($7, 'Withdrawal', $1, 1, 'WithdrawalRequested', $8)
  ), enqueued AS (
    INSERT INTO outbox (message_id, message_type, payload) VALUES ($7, 'WithdrawalRequested', $8)
  ), notified AS (SELECT pg_notify($9, NULL))
  SELECT count(*) FROM notified`;

async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T | 'conflict'>): Promise<T> {
  for (;;) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      if (result === 'conflict') {
        await client.query('ROLLBACK');
        continue;
      }
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

function signatureValid(secret: string, header: string | undefined, rawBody: string): boolean {
  const match = /t=(\d+),v1=([0-9a-f]{64})/.exec(header ?? '');
  if (!match || Math.abs(Date.now() / 1000 - Number(match[1])) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${rawBody}`).digest();
  return timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}

export function createBareApp(deps: {
  pool: pg.Pool;
  client: Client;
  taskQueue: string;
  webhookSecret: string;
  /** The bare workflow's input (default: one no-op activity, then the wait). */
  sagaInput?: unknown;
}): Hono {
  const { pool } = deps;
  const app = new Hono();

  app.post('/bare/auctions/:id/bids', async (c) => {
    const auctionId = c.req.param('id');
    const bidderId = c.req.header('x-bidder')!;
    const { amount } = (await c.req.json()) as { amount: { amount: string; currency: string } };
    const [whole, cents = '0'] = amount.amount.split('.');
    const minor = Number(whole) * 100 + Number(cents.padEnd(2, '0'));
    const placed = await inTransaction(pool, async (client) => {
      const { rows } = await client.query({
        name: 'bare.find-auction',
        text: 'SELECT current_price_minor, leader_id, seller_id, title, version FROM auctions WHERE id = $1 FOR UPDATE',
        values: [auctionId],
      });
      const auction = rows[0];
      if (!auction || Number(auction.current_price_minor) >= minor) return { leads: false };
      const bidId = randomUUID();
      const events: { type: string; payload: unknown }[] = [
        {
          type: 'BidPlaced',
          payload: { bidId, bidderId, amount, placedAt: new Date().toISOString(), sellerId: auction.seller_id, title: auction.title },
        },
      ];
      if (auction.leader_id && auction.leader_id !== bidderId) {
        events.push({ type: 'BidderHasBeenOverbid', payload: { bidderId: auction.leader_id, newPrice: amount, title: auction.title } });
      }
      const version = auction.version as number;
      const { rows: written } = await client.query({
        name: 'bare.write-bid',
        text: WRITE_BID,
        values: [
          auctionId,
          version,
          minor,
          bidderId,
          version + events.length,
          bidId,
          events.map(() => randomUUID()),
          events.map(() => 'Auction'),
          events.map(() => auctionId),
          events.map((_, i) => version + 1 + i),
          events.map((e) => e.type),
          events.map((e) => JSON.stringify(e.payload)),
          OUTBOX_CHANNEL,
        ],
      });
      return written[0].written === 1 ? { leads: true } : 'conflict';
    });
    return c.json({ auctionId, bidderId, amount, isWinning: placed.leads }, placed.leads ? 201 : 422);
  });

  app.post('/bare/webhooks/payments', async (c) => {
    const rawBody = await c.req.text();
    if (!signatureValid(deps.webhookSecret, c.req.header('webhook-signature'), rawBody)) return c.json({ error: 'bad signature' }, 401);
    const event = JSON.parse(rawBody) as { id: string; type: string; data: { paymentId: string; providerChargeId: string } };
    const outcome = await inTransaction(pool, async (client) => {
      const first = await client.query({
        name: 'bare.inbox',
        text: `INSERT INTO inbox (consumer, message_id) VALUES ('bare:payments', $1) ON CONFLICT DO NOTHING`,
        values: [event.id],
      });
      if (first.rowCount === 0) return 'duplicate';
      const { rows } = await client.query({
        name: 'bare.find-payment',
        text: 'SELECT status, version FROM payments WHERE id = $1',
        values: [event.data.paymentId],
      });
      if (rows[0]?.status !== 'charging') return 'ignored';
      const { rows: written } = await client.query({
        name: 'bare.write-charged',
        text: WRITE_CHARGED,
        values: [
          event.data.paymentId,
          rows[0].version,
          event.data.providerChargeId,
          randomUUID(),
          JSON.stringify({ providerChargeId: event.data.providerChargeId }),
          OUTBOX_CHANNEL,
        ],
      });
      return written[0].written === 1 ? 'processed' : 'conflict';
    });
    return c.json({ received: true, id: event.id, duplicate: outcome === 'duplicate' }, 200);
  });

  app.get('/bare/payments/:id', async (c) => {
    const { rows } = await pool.query({
      name: 'bare.get-payment',
      text: 'SELECT id, auction_id, payer_id, payee_id, currency, amount_minor, status, attempts, provider_charge_id, version FROM payments WHERE id = $1',
      values: [c.req.param('id')],
    });
    return rows[0] ? c.json(rows[0], 200) : c.json({ error: 'not found' }, 404);
  });

  app.post('/bare/withdrawals', async (c) => {
    const body = (await c.req.json()) as { accountId: string; amount: { amount: string }; invoice: string };
    // The platform's route reads the invoice and stores the withdrawal before it starts the saga.
    const sections = decode(body.invoice).sections as { name: string; value?: unknown }[];
    const field = (name: string) => sections.find((section) => section.name === name)?.value;
    const paymentHash = String(field('payment_hash'));
    const expiresAt = new Date((Number(field('timestamp')) + Number(field('expiry') ?? 3600)) * 1000);
    const withdrawalId = randomUUID();
    await inTransaction(pool, async (client) => {
      const { rows } = await client.query({
        name: 'bare.find-withdrawal',
        text: 'SELECT id FROM withdrawals WHERE payment_hash = $1',
        values: [paymentHash],
      });
      if (rows[0]) throw new Error(`invoice already withdrawn by ${rows[0].id}`);
      const payload = JSON.stringify({ accountId: body.accountId, customerId: body.accountId, amount: body.amount, paymentHash });
      await client.query({
        name: 'bare.write-withdrawal',
        text: WRITE_WITHDRAWAL,
        values: [
          withdrawalId,
          body.accountId,
          body.amount.amount,
          body.invoice,
          paymentHash,
          expiresAt,
          randomUUID(),
          payload,
          OUTBOX_CHANNEL,
        ],
      });
      return true;
    });
    const workflowId = `bare-withdrawal-${withdrawalId}`;
    await deps.client.workflow.start('benchBaseline', {
      workflowId,
      taskQueue: deps.taskQueue,
      args: [deps.sagaInput ?? { activities: 1 }],
    });
    return c.json({ workflowId }, 202);
  });

  return app;
}
