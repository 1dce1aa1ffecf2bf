import type { EmailsOf } from './mailed-events.ts';
import { money, toOne } from './mailed-events.ts';

/** The events of the order after payment that cause mail (deliveries, vouchers, payouts). */
type OrderMailedType =
  | 'OrderAccepted'
  | 'OrderRejected'
  | 'OrderCancelled'
  | 'CancellationTooLate'
  | 'ConfirmationReminderSent'
  | 'DeliveryConfirmed'
  | 'ReturnRequested'
  | 'ReturnBooked'
  | 'VoucherRedeemed'
  | 'VoucherCancelled'
  | 'VoucherExpired'
  | 'PayoutScheduled'
  | 'PayoutPaid';

/** Which e-mails the order after payment causes, and to whom; the rest are in emails.ts. */
export const ORDER_EMAILS: { [T in OrderMailedType]: EmailsOf<T> } = {
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
};
