import type { Message } from '../platform/db/outbox.ts';
import type { Email } from './email.ts';

type Payload = Record<string, any>;
const money = (m: { amount: string; currency: string } | undefined) => (m ? `${m.amount} ${m.currency}` : '');

/**
 * Which e-mails each domain event causes, and to whom. Pure: the handler decides when,
 * this decides what. Keys name the event, so a redelivered event never e-mails twice.
 */
export const EMAILS_BY_EVENT: Record<string, (payload: Payload, eventId: string) => Email[]> = {
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
};

export function emailsFor(message: Message): Email[] {
  return EMAILS_BY_EVENT[message.type]?.(message.payload as Payload, message.id) ?? [];
}
