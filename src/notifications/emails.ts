import type { Message } from '../platform/db/outbox.ts';
import { parsePayload, type OutboxEvent } from '../platform/bus/event-handlers.ts';
import type { Email } from './email.ts';
import {
  MAILED_EVENT_PAYLOADS,
  mailedPayloads,
  money,
  type EmailContext,
  type EmailsOf,
  type MailedEvent,
  type MailedEventType,
} from './mailed-events.ts';
import { ORDER_EMAILS } from './order-emails.ts';

export {
  MAILED_EVENT_PAYLOADS,
  MAILED_EVENT_TYPES,
  type EmailContext,
  type EmailsOf,
  type MailedEvent,
  type MailedEventType,
} from './mailed-events.ts';

/**
 * Which e-mails each domain event causes, and to whom. Pure: the handler decides when,
 * this decides what. Keys name the event, so a redelivered event never e-mails twice.
 */
export const EMAILS_BY_EVENT: { [T in MailedEventType]: EmailsOf<T> } = {
  ...ORDER_EMAILS,
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
