/**
 * The custom search attributes the sagas keep current, so the Temporal UI can list
 * sagas by business id (`AuctionId = "…"`), by customer (`CustomerId IN ("…")`) or by
 * step. A saga has several customers (buyer and seller), hence a keyword list.
 * The dev launcher and docker-compose register these; pure data, part of the saga contracts.
 */
export const SEARCH_ATTRIBUTES = {
  AuctionId: 'Keyword',
  PaymentId: 'Keyword',
  WithdrawalId: 'Keyword',
  DeliveryId: 'Keyword',
  ServiceId: 'Keyword',
  CampaignId: 'Keyword',
  SagaStep: 'Keyword',
  CustomerId: 'KeywordList',
} as const;

export type SearchAttributeName = keyof typeof SEARCH_ATTRIBUTES;
export type SearchAttributeValues = Partial<Record<SearchAttributeName, string | string[]>>;
