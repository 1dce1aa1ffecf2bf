import type { SearchAttributeValues } from './search-attributes.ts';

/** What both fulfilment sagas (delivery and service) know about the paid auction they fulfil. */
export interface FulfilmentInput {
  auctionId: string;
  buyerId: string;
  sellerId: string;
  paymentId: string;
  title: string;
}

/** Both fulfilment sagas start listed under their auction and both its parties. */
export const fulfilmentSearchAttributes = (input: FulfilmentInput): SearchAttributeValues => ({
  AuctionId: input.auctionId,
  CustomerId: [input.buyerId, input.sellerId],
});
