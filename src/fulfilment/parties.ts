/**
 * What both kinds of business transaction (seed 000) know of the paid auction they fulfil:
 * the won auction, its parties and the payment that paid for it.
 */
export interface Parties {
  auctionId: string;
  buyerId: string;
  sellerId: string;
  paymentId: string;
  title: string;
}

/**
 * Who moved a transaction, recorded on every event so its history says who decided
 * what: a party, the carrier, a saga's timer, or the platform's own step (creating,
 * booking).
 */
export type Actor = 'buyer' | 'seller' | 'carrier' | 'timer' | 'platform';
