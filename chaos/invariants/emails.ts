import { EMAILS_BY_EVENT, emailsFor } from '../../src/notifications/emails.ts';
import { emailContextOf } from '../../src/notifications/handlers.ts';
import type { Sql } from '../../src/platform/db/pools.ts';
import type { InvariantRow } from './invariant-row.ts';

export const EMAILS_ROW = 'every e-mail sent once per fact';

/**
 * E-mail kinds a recipient gets at most once per aggregate, because the fact behind them
 * happens once in its life: winning and selling it, paying for it, the window closing on
 * it, each step of one parcel or order (the seller's answer, the buyer's confirmation or
 * return, the one reminder), one voucher and its end, one payout scheduled and paid, the
 * end of one withdrawal. Two such e-mails
 * mean the fact was recorded twice (two events), which the dedup key cannot catch.
 * Not here: overbids, failed attempts, missed deadlines and refunds, which may repeat.
 */
const ONCE_PER_AGGREGATE = new Set([
  'auction-won',
  'auction-sold',
  'payment-captured',
  'item-paid',
  'payment-window-elapsed',
  'buyer-did-not-pay',
  'shipment-booked',
  'package-shipped',
  'package-delivered',
  'package-lost',
  'package-returned',
  'voucher-issued',
  'order-accepted',
  'order-rejected',
  'order-cancelled',
  'cancellation-too-late',
  'confirmation-reminder',
  'delivery-confirmed',
  'return-requested',
  'return-booked',
  'voucher-redeemed',
  'voucher-cancelled',
  'voucher-expired',
  'payout-scheduled',
  'payout-paid',
  'withdrawal-paid',
  'withdrawal-rejected',
  'withdrawal-failed',
  'campaign-goal-reached',
  'campaign-succeeded',
  'campaign-funded',
  'campaign-failed',
]);

interface ExpectedEmail {
  to: string;
  kind: string;
  /** The event behind it, for the sentence. */
  fact: string;
  aggregateId: string;
}

/**
 * The e-mails the event store says must exist, against those the notifications table
 * holds. Each e-mail-causing event reaches the notification handler as the outbox
 * message the unit of work wrote with it, whose id is the event's id and whose payload
 * is the event's payload in its envelope (unit-of-work.ts), and the handler keys each
 * e-mail `${messageId}:${recipient}`. So from the events alone: none missing, none extra,
 * each to the right person and of the right kind, and no once-only fact e-mailed twice.
 */
export async function emailsRow(read: Sql): Promise<Omit<InvariantRow, 'name'>> {
  const { rows: events } = await read.query(
    `SELECT event_id::text AS event_id, aggregate_type, aggregate_id, aggregate_version, event_type, payload
     FROM event_store WHERE event_type = ANY($1::text[]) ORDER BY global_seq`,
    [Object.keys(EMAILS_BY_EVENT)],
  );
  const expected = new Map<string, ExpectedEmail>();
  for (const event of events) {
    const envelope = {
      aggregateType: event.aggregate_type,
      aggregateId: event.aggregate_id,
      aggregateVersion: event.aggregate_version,
      ...event.payload,
    };
    const fact = `${event.event_type} ${event.event_id} of ${event.aggregate_type} ${event.aggregate_id}`;
    const context = await emailContextOf(read, { type: event.event_type, aggregateId: event.aggregate_id });
    for (const email of emailsFor({ id: event.event_id, type: event.event_type, payload: envelope }, context)) {
      expected.set(email.dedupKey, { to: email.to, kind: email.kind, fact, aggregateId: event.aggregate_id });
    }
  }
  const { rows: sent } = await read.query('SELECT dedup_key, customer_id, kind FROM notifications');
  const sentByKey = new Map(sent.map((n) => [String(n.dedup_key), n as { customer_id: string; kind: string }]));

  const violations: string[] = [];
  for (const [key, email] of expected) {
    const notification = sentByKey.get(key);
    if (!notification) violations.push(`no ${email.kind} e-mail to ${email.to} for ${email.fact}`);
    else if (notification.customer_id !== email.to || notification.kind !== email.kind) {
      violations.push(
        `e-mail ${key} went to ${notification.customer_id} as ${notification.kind}; ${email.fact} calls for ${email.kind} to ${email.to}`,
      );
    }
  }
  for (const [key, notification] of sentByKey) {
    if (!expected.has(key)) violations.push(`e-mail ${key} (${notification.kind} to ${notification.customer_id}) answers no event`);
  }
  const perAggregate = new Map<string, number>();
  for (const email of expected.values()) {
    if (!ONCE_PER_AGGREGATE.has(email.kind)) continue;
    const key = `${email.kind} e-mails to ${email.to} about ${email.aggregateId}`;
    perAggregate.set(key, (perAggregate.get(key) ?? 0) + 1);
  }
  for (const [what, count] of perAggregate)
    if (count > 1) violations.push(`${count} ${what}: a once-only fact was recorded ${count} times`);

  return { checked: new Set([...expected.keys(), ...sentByKey.keys()]).size, violations };
}
