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
import { parsePayload, type OutboxEvent, type OutboxPayload } from '../platform/bus/event-handlers.ts';
import type { Message } from '../platform/db/outbox.ts';
import type { Email } from './email.ts';

/** The domain events of every context that mails. */
export type MailedEvent = AuctionEvent | PaymentEvent | DeliveryEvent | ServiceEvent | WithdrawalEvent | CampaignEvent | PayoutEvent;

const mailedPayloads = {
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

const money = (m: MoneyJson) => `${m.amount} ${m.currency}`;

/** One e-mail to one customer, keyed by the event and the recipient so a redelivered event mails once. */
const toOne = (to: string, eventId: string, kind: string, subject: string, body: string, data: Record<string, unknown>): Email => ({
  to,
  kind,
  subject,
  body,
  dedupKey: `${eventId}:${to}`,
  data,
});

/**
 * Which e-mails each domain event causes, and to whom. Pure: the handler decides when,
 * this decides what. Keys name the event, so a redelivered event never e-mails twice.
 */
export const EMAILS_BY_EVENT: { [T in MailedEventType]: EmailsOf<T> } = {
  BidderHasBeenOverbid: (p, id) => [
    {
      to: p.bidderId,
      kind: 'overbid',
      subject: `You have been outbid on "${p.title}"`,
      body: `Someone bid ${money(p.newPrice)} on "${p.title}". Bid again to win it.`,
      dedupKey: `${id}:${p.bidderId}`,
      data: { auctionId: p.aggregateId, newPrice: p.newPrice },
    },
  ],
  PaymentStarted: (p, id) => [
    {
      to: p.payerId,
      kind: 'auction-won',
      subject: `You won "${p.title}"`,
      body: `You won "${p.title}" for ${money(p.amount)}. Pay with POST /payments/${p.aggregateId}/charge before the payment window closes.`,
      dedupKey: `${id}:${p.payerId}`,
      data: { auctionId: p.auctionId, paymentId: p.aggregateId, amount: p.amount },
    },
    {
      to: p.payeeId,
      kind: 'auction-sold',
      subject: `"${p.title}" has a winner`,
      body: `"${p.title}" sold for ${money(p.amount)}; we are waiting for the buyer's payment.`,
      dedupKey: `${id}:${p.payeeId}`,
      data: { auctionId: p.auctionId, paymentId: p.aggregateId },
    },
  ],
  PaymentFailed: (p, id) => [
    {
      to: p.payerId,
      kind: 'payment-failed',
      subject: `Your payment for "${p.title}" failed`,
      body: `The payment for "${p.title}" failed (${p.reason}). You can try again with another card before the window closes.`,
      dedupKey: `${id}:${p.payerId}`,
      data: { auctionId: p.auctionId, paymentId: p.aggregateId },
    },
  ],
  PaymentCaptured: (p, id) => [
    {
      to: p.payerId,
      kind: 'payment-captured',
      subject: `Thank you for your payment for "${p.title}"`,
      body: `We received ${money(p.amount)} for "${p.title}". We will let you know as it reaches you.`,
      dedupKey: `${id}:${p.payerId}`,
      data: { auctionId: p.auctionId, paymentId: p.aggregateId },
    },
    {
      to: p.payeeId,
      kind: 'item-paid',
      subject: `"${p.title}" is paid`,
      body: `The buyer paid ${money(p.amount)} for "${p.title}".`,
      dedupKey: `${id}:${p.payeeId}`,
      data: { auctionId: p.auctionId, paymentId: p.aggregateId },
    },
  ],
  AuctionUnpaid: (p, id) => [
    {
      to: p.winnerId,
      kind: 'payment-window-elapsed',
      subject: `The payment window for "${p.title}" has closed`,
      body: `You did not pay for "${p.title}" in time, so the sale is cancelled.`,
      dedupKey: `${id}:${p.winnerId}`,
      data: { auctionId: p.aggregateId },
    },
    {
      to: p.sellerId,
      kind: 'buyer-did-not-pay',
      subject: `The buyer did not pay for "${p.title}"`,
      body: `The winner of "${p.title}" did not pay within the payment window; the sale is cancelled.`,
      dedupKey: `${id}:${p.sellerId}`,
      data: { auctionId: p.aggregateId },
    },
  ],
  OrderAccepted: (p, id) => [
    toOne(
      p.buyerId,
      id,
      'order-accepted',
      `"${p.title}" is accepted`,
      `The seller accepted your order of "${p.title}"; it will be shipped.`,
      {
        deliveryId: p.aggregateId,
      },
    ),
  ],
  OrderRejected: (p, id) =>
    [p.buyerId, p.sellerId].map((to: string) =>
      toOne(
        to,
        id,
        'order-rejected',
        `The order of "${p.title}" was rejected`,
        `${p.actor === 'timer' ? 'The seller did not answer in time' : `The seller rejected it: ${p.reason}`}. The buyer is refunded in full.`,
        { deliveryId: p.aggregateId },
      ),
    ),
  OrderCancelled: (p, id) =>
    [p.buyerId, p.sellerId].map((to: string) =>
      toOne(
        to,
        id,
        'order-cancelled',
        `The order of "${p.title}" was cancelled`,
        `The buyer cancelled "${p.title}" before it shipped; the buyer is refunded in full.`,
        {
          deliveryId: p.aggregateId,
        },
      ),
    ),
  CancellationTooLate: (p, id) => [
    toOne(
      p.buyerId,
      id,
      'cancellation-too-late',
      `"${p.title}" had already left`,
      `The parcel with "${p.title}" left before your cancellation reached the carrier. We book its return; you are refunded when it is back.`,
      { deliveryId: p.aggregateId },
    ),
  ],
  ShipmentBooked: (p, id) => [
    {
      to: p.buyerId,
      kind: 'shipment-booked',
      subject: `"${p.title}" is booked with the carrier`,
      body: `"${p.title}" will be shipped; its tracking number is ${p.trackingNumber}.`,
      dedupKey: `${id}:${p.buyerId}`,
      data: { deliveryId: p.aggregateId, trackingNumber: p.trackingNumber },
    },
  ],
  PackageShipped: (p, id) => [
    {
      to: p.buyerId,
      kind: 'package-shipped',
      subject: `"${p.title}" is on its way`,
      body: `"${p.title}" has been shipped (tracking number ${p.trackingNumber}).`,
      dedupKey: `${id}:${p.buyerId}`,
      data: { deliveryId: p.aggregateId },
    },
  ],
  PackageDelivered: (p, id) => [
    {
      to: p.buyerId,
      kind: 'package-delivered',
      subject: `"${p.title}" has been delivered`,
      body: `"${p.title}" has been delivered. Enjoy it!`,
      dedupKey: `${id}:${p.buyerId}`,
      data: { deliveryId: p.aggregateId },
    },
  ],
  DeliveryDeadlineMissed: (p, id) =>
    [p.buyerId, p.sellerId].map((to: string) => ({
      to,
      kind: 'delivery-delayed',
      subject: `"${p.title}" is late`,
      body: `The carrier's ${p.stage} deadline for "${p.title}" has passed. We keep waiting a little longer before treating it as lost.`,
      dedupKey: `${id}:${to}`,
      data: { deliveryId: p.aggregateId, stage: p.stage },
    })),
  PackageLost: (p, id) => [
    {
      to: p.buyerId,
      kind: 'package-lost',
      subject: `"${p.title}" was lost`,
      body: `The carrier lost "${p.title}". Your payment is being refunded.`,
      dedupKey: `${id}:${p.buyerId}`,
      data: { deliveryId: p.aggregateId },
    },
  ],
  PackageReturned: (p, id) => [
    {
      to: p.buyerId,
      kind: 'package-returned',
      subject: `"${p.title}" was returned`,
      body: `"${p.title}" was returned to the sender. Your payment is being refunded.`,
      dedupKey: `${id}:${p.buyerId}`,
      data: { deliveryId: p.aggregateId },
    },
  ],
  ConfirmationReminderSent: (p, id) => [
    toOne(
      p.buyerId,
      id,
      'confirmation-reminder',
      `Did "${p.title}" arrive as it should?`,
      `Please confirm receipt of "${p.title}", or claim a return. Soon it is confirmed by itself and the seller is paid.`,
      { deliveryId: p.aggregateId },
    ),
  ],
  DeliveryConfirmed: (p, id) => [
    toOne(
      p.sellerId,
      id,
      'delivery-confirmed',
      `"${p.title}" is confirmed`,
      `The sale of "${p.title}" is final; your payout is scheduled.`,
      {
        deliveryId: p.aggregateId,
      },
    ),
  ],
  ReturnRequested: (p, id) => [
    toOne(p.sellerId, id, 'return-requested', `The buyer is returning "${p.title}"`, `The buyer sends "${p.title}" back: ${p.reason}`, {
      deliveryId: p.aggregateId,
    }),
  ],
  ReturnBooked: (p, id) => [
    toOne(
      p.buyerId,
      id,
      'return-booked',
      `Your return of "${p.title}" is booked`,
      `Hand "${p.title}" to the carrier with tracking number ${p.returnTrackingNumber}; you are refunded when it arrives.`,
      { deliveryId: p.aggregateId, returnTrackingNumber: p.returnTrackingNumber },
    ),
  ],
  VoucherRedeemed: (p, id) => [
    toOne(
      p.sellerId,
      id,
      'voucher-redeemed',
      `The voucher for "${p.title}" was redeemed`,
      `The buyer used the voucher for "${p.title}"; your payout is scheduled.`,
      {
        serviceId: p.aggregateId,
      },
    ),
  ],
  VoucherCancelled: (p, id) =>
    [p.buyerId, p.sellerId].map((to: string) =>
      toOne(
        to,
        id,
        'voucher-cancelled',
        `The voucher for "${p.title}" was cancelled`,
        `The buyer cancelled the voucher for "${p.title}"; the buyer is refunded in full.`,
        {
          serviceId: p.aggregateId,
        },
      ),
    ),
  VoucherExpired: (p, id) =>
    [p.buyerId, p.sellerId].map((to: string) =>
      toOne(
        to,
        id,
        'voucher-expired',
        `The voucher for "${p.title}" expired unused`,
        `The voucher for "${p.title}" expired unused: 90% goes back to the buyer, the rest to the seller.`,
        { serviceId: p.aggregateId },
      ),
    ),
  PayoutScheduled: (p, id) => [
    toOne(
      p.sellerId,
      id,
      'payout-scheduled',
      `Your payout for "${p.title}" is scheduled`,
      `${money(p.net)} (${money(p.gross)} less a fee of ${money(p.fee)}) is paid to you on ${p.payableAt}.`,
      { payoutId: p.aggregateId, auctionId: p.auctionId, net: p.net },
    ),
  ],
  PayoutPaid: (p, id) => [
    toOne(p.sellerId, id, 'payout-paid', `Your payout for "${p.title}" is paid`, `We paid you ${money(p.net)} for "${p.title}".`, {
      payoutId: p.aggregateId,
      auctionId: p.auctionId,
      net: p.net,
    }),
  ],
  PaymentRefunded: (p, id) => [
    {
      to: p.payerId,
      kind: 'payment-refunded',
      subject: `Your payment for "${p.title}" was refunded`,
      body: `We refunded ${money(p.amount)} for "${p.title}".`,
      dedupKey: `${id}:${p.payerId}`,
      data: { auctionId: p.auctionId, paymentId: p.aggregateId },
    },
  ],
  VoucherIssued: (p, id, { code }) => [
    {
      to: p.buyerId,
      kind: 'voucher-issued',
      subject: `Your voucher for "${p.title}"`,
      body: `Your voucher code for "${p.title}" is ${code}.`,
      dedupKey: `${id}:${p.buyerId}`,
      data: { serviceId: p.aggregateId, code },
    },
  ],
  WithdrawalPaid: (p, id) => [
    {
      to: p.customerId,
      kind: 'withdrawal-paid',
      subject: `Your withdrawal of ${money(p.amount)} is paid`,
      body: `We paid ${money(p.amount)} to your lightning invoice.`,
      dedupKey: `${id}:${p.customerId}`,
      data: { withdrawalId: p.aggregateId, amount: p.amount, paymentHash: p.paymentHash },
    },
  ],
  WithdrawalRejected: (p, id) => [
    {
      to: p.customerId,
      kind: 'withdrawal-rejected',
      subject: `Your withdrawal of ${money(p.amount)} was rejected`,
      body: `We could not withdraw ${money(p.amount)}: ${p.reason}. Nothing was taken from your account.`,
      dedupKey: `${id}:${p.customerId}`,
      data: { withdrawalId: p.aggregateId, amount: p.amount, reason: p.reason },
    },
  ],
  WithdrawalFailed: (p, id) => [
    {
      to: p.customerId,
      kind: 'withdrawal-failed',
      subject: `Your withdrawal of ${money(p.amount)} failed`,
      body: `The lightning payment of ${money(p.amount)} did not go through (${p.reason}). The funds are available in your account again.`,
      dedupKey: `${id}:${p.customerId}`,
      data: { withdrawalId: p.aggregateId, amount: p.amount, reason: p.reason },
    },
  ],
  CampaignGoalReached: (p, id) => [
    {
      to: p.ownerId,
      kind: 'campaign-goal-reached',
      subject: `"${p.title}" reached its goal`,
      body: `Donations to "${p.title}" reached its goal of ${money(p.goal)}. The escrow is paid to you when the campaign ends.`,
      dedupKey: `${id}:${p.ownerId}`,
      data: { campaignId: p.aggregateId, goal: p.goal, raised: p.raised },
    },
  ],
  CampaignSucceeded: (p, id, { donors = [] }) => [
    {
      to: p.ownerId,
      kind: 'campaign-succeeded',
      subject: `"${p.title}" is funded`,
      body: `"${p.title}" raised ${money(p.raised)} of its ${money(p.goal)} goal; the escrow is being paid to your account.`,
      dedupKey: `${id}:${p.ownerId}`,
      data: { campaignId: p.aggregateId, raised: p.raised },
    },
    ...donors.map((donor) => ({
      to: donor,
      kind: 'campaign-funded',
      subject: `"${p.title}", which you backed, is funded`,
      body: `"${p.title}" reached its goal with ${money(p.raised)}; your donation goes to its owner.`,
      dedupKey: `${id}:${donor}`,
      data: { campaignId: p.aggregateId, raised: p.raised },
    })),
  ],
  CampaignFailed: (p, id) => [
    {
      to: p.ownerId,
      kind: 'campaign-failed',
      subject: `"${p.title}" did not reach its goal`,
      body: `"${p.title}" raised ${money(p.raised)} of its ${money(p.goal)} goal, so every donation goes back to its donor.`,
      dedupKey: `${id}:${p.ownerId}`,
      data: { campaignId: p.aggregateId, raised: p.raised },
    },
  ],
  DonationRefunded: (p, id) => [
    {
      to: p.donorId,
      kind: 'donation-refunded',
      subject: `Your donation to "${p.title}" was refunded`,
      body: `"${p.title}" ${p.reason === 'cancelled' ? 'was cancelled' : 'did not reach its goal'}; we gave your ${money(p.amount)} back to your account.`,
      dedupKey: `${id}:${p.donorId}`,
      data: { campaignId: p.aggregateId, donationId: p.donationId, amount: p.amount },
    },
  ],
};

const isMailed = (type: string): type is MailedEventType => Object.hasOwn(mailedPayloads, type);

/**
 * The e-mails an outbox message causes (none for a type that causes no mail), its payload
 * parsed first: a payload that does not fit fails, naming the message type and the field.
 */
export function emailsFor(message: Message, context: EmailContext = {}): Email[] {
  return isMailed(message.type) ? emailsOfType(message.type, message, context) : [];
}

function emailsOfType<T extends MailedEventType>(type: T, message: Message, context: EmailContext): Email[] {
  const payload = parsePayload(message, MAILED_EVENT_PAYLOADS[type]);
  return EMAILS_BY_EVENT[type]({ ...payload, type } as OutboxEvent<MailedEvent, T>, message.id, context);
}
