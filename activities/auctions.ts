import { z } from 'zod';
import {
  attachFulfilment,
  attachPayment,
  endAuction,
  markAuctionPaid,
  markAuctionRefunded,
  markAuctionUnpaid,
  type AuctionsDeps,
} from '../src/auctions/use-cases.ts';

const AuctionId = z.string().uuid();

/** Activities of the auctions context; each is idempotent (a repeat finds the work done). */
export function createAuctionActivities(deps: AuctionsDeps) {
  return {
    endAuction: (auctionId: string) => endAuction(deps, AuctionId.parse(auctionId)),
    attachPaymentToAuction: (auctionId: string, paymentId: string) =>
      attachPayment(deps, AuctionId.parse(auctionId), z.string().uuid().parse(paymentId)),
    markAuctionPaid: (auctionId: string) => markAuctionPaid(deps, AuctionId.parse(auctionId)),
    markAuctionUnpaid: (auctionId: string) => markAuctionUnpaid(deps, AuctionId.parse(auctionId)),
    markAuctionRefunded: (auctionId: string) => markAuctionRefunded(deps, AuctionId.parse(auctionId)),
    attachFulfilmentToAuction: (auctionId: string, kind: 'delivery' | 'service', fulfilmentId: string) =>
      attachFulfilment(
        deps,
        AuctionId.parse(auctionId),
        z.enum(['delivery', 'service']).parse(kind),
        z.string().uuid().parse(fulfilmentId),
      ),
  };
}

export type AuctionActivities = ReturnType<typeof createAuctionActivities>;
