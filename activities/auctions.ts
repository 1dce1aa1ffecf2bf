import { z } from 'zod';
import {
  attachPayment,
  endAuction,
  markAuctionPaid,
  markAuctionUnpaid,
  type AuctionsDeps,
} from '../src/auctions/use-cases.ts';

const AuctionId = z.string().uuid();

/** Activities of the auctions context; each is idempotent (a repeat finds the work done). */
export function createAuctionActivities(deps: AuctionsDeps) {
  return {
    endAuction: (auctionId: string) => endAuction(deps, AuctionId.parse(auctionId)),
    attachPaymentToAuction: (auctionId: string, paymentId: string) => attachPayment(deps, AuctionId.parse(auctionId), z.string().uuid().parse(paymentId)),
    markAuctionPaid: (auctionId: string) => markAuctionPaid(deps, AuctionId.parse(auctionId)),
    markAuctionUnpaid: (auctionId: string) => markAuctionUnpaid(deps, AuctionId.parse(auctionId)),
  };
}

export type AuctionActivities = ReturnType<typeof createAuctionActivities>;
