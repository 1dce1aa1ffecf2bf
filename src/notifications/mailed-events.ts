import type { z } from 'zod';
import type { AuctionEvent } from '../auctions/domain.ts';
import { auctionEventPayloads } from '../auctions/event-payloads.ts';
import type { WithdrawalEvent } from '../bitcoin/domain.ts';
import { withdrawalEventPayloads } from '../bitcoin/event-payloads.ts';
import type { CampaignEvent } from '../crowdfunding/domain.ts';
import { campaignEventPayloads } from '../crowdfunding/event-payloads.ts';
import type { DeliveryEvent, ServiceEvent } from '../fulfilment/domain.ts';
import { deliveryEventPayloads, serviceEventPayloads } from '../fulfilment/event-payloads.ts';
import type { MoneyJson } from '../kernel/money.ts';
import type { PaymentEvent } from '../payments/domain.ts';
import { paymentEventPayloads } from '../payments/event-payloads.ts';
import type { PayoutEvent } from '../payouts/domain.ts';
import { payoutEventPayloads } from '../payouts/event-payloads.ts';
import type { OutboxEvent, OutboxPayload } from '../platform/bus/event-handlers.ts';
import type { Email } from './email.ts';

/** The domain events of every context that mails. */
export type MailedEvent = AuctionEvent | PaymentEvent | DeliveryEvent | ServiceEvent | WithdrawalEvent | CampaignEvent | PayoutEvent;

export const mailedPayloads = {
  BidderHasBeenOverbid: auctionEventPayloads.BidderHasBeenOverbid,
  PaymentStarted: paymentEventPayloads.PaymentStarted,
  PaymentFailed: paymentEventPayloads.PaymentFailed,
  PaymentCaptured: paymentEventPayloads.PaymentCaptured,
  AuctionUnpaid: auctionEventPayloads.AuctionUnpaid,
  OrderAccepted: deliveryEventPayloads.OrderAccepted,
  OrderRejected: deliveryEventPayloads.OrderRejected,
  OrderCancelled: deliveryEventPayloads.OrderCancelled,
  CancellationTooLate: deliveryEventPayloads.CancellationTooLate,
  ShipmentBooked: deliveryEventPayloads.ShipmentBooked,
  PackageShipped: deliveryEventPayloads.PackageShipped,
  PackageDelivered: deliveryEventPayloads.PackageDelivered,
  DeliveryDeadlineMissed: deliveryEventPayloads.DeliveryDeadlineMissed,
  PackageLost: deliveryEventPayloads.PackageLost,
  PackageReturned: deliveryEventPayloads.PackageReturned,
  ConfirmationReminderSent: deliveryEventPayloads.ConfirmationReminderSent,
  DeliveryConfirmed: deliveryEventPayloads.DeliveryConfirmed,
  ReturnRequested: deliveryEventPayloads.ReturnRequested,
  ReturnBooked: deliveryEventPayloads.ReturnBooked,
  VoucherRedeemed: serviceEventPayloads.VoucherRedeemed,
  VoucherCancelled: serviceEventPayloads.VoucherCancelled,
  VoucherExpired: serviceEventPayloads.VoucherExpired,
  PayoutScheduled: payoutEventPayloads.PayoutScheduled,
  PayoutPaid: payoutEventPayloads.PayoutPaid,
  PaymentRefunded: paymentEventPayloads.PaymentRefunded,
  VoucherIssued: serviceEventPayloads.VoucherIssued,
  WithdrawalPaid: withdrawalEventPayloads.WithdrawalPaid,
  WithdrawalRejected: withdrawalEventPayloads.WithdrawalRejected,
  WithdrawalFailed: withdrawalEventPayloads.WithdrawalFailed,
  CampaignGoalReached: campaignEventPayloads.CampaignGoalReached,
  CampaignSucceeded: campaignEventPayloads.CampaignSucceeded,
  CampaignFailed: campaignEventPayloads.CampaignFailed,
  DonationRefunded: campaignEventPayloads.DonationRefunded,
};

/** The event types that cause mail. */
export type MailedEventType = keyof typeof mailedPayloads;
export const MAILED_EVENT_TYPES = Object.keys(mailedPayloads) as MailedEventType[];

/** The schema of each mailed event's outbox payload (its publisher's), which the handler parses it with. */
export const MAILED_EVENT_PAYLOADS: { [T in MailedEventType]: z.ZodType<OutboxPayload<MailedEvent, T>> } = mailedPayloads;

/**
 * What an e-mail needs that its event does not carry: the voucher's code (a secret the
 * event must not hold, docs/design.md property 12) and a campaign's donors (too many to
 * carry). The handler reads them from their records when the e-mail is written.
 */
export interface EmailContext {
  code?: string;
  donors?: string[];
}

export type EmailsOf<T extends MailedEventType> = (event: OutboxEvent<MailedEvent, T>, eventId: string, context: EmailContext) => Email[];

export const money = (m: MoneyJson) => `${m.amount} ${m.currency}`;

/** One e-mail to one customer, keyed by the event and the recipient so a redelivered event mails once. */
export const toOne = (to: string, eventId: string, kind: string, subject: string, body: string, data: Record<string, unknown>): Email => ({
  to,
  kind,
  subject,
  body,
  dedupKey: `${eventId}:${to}`,
  data,
});
