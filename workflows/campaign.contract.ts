import { defineSaga, signal } from './saga-contract.ts';

export interface CampaignInput {
  campaignId: string;
  ownerId: string;
  /** ISO-8601: when the campaign ends, met or missed. */
  endsAt: string;
}

export type CampaignResult = { outcome: 'succeeded'; released: boolean } | { outcome: 'failed' | 'cancelled'; refunded: number };

/** Seed 003's crowdfunding campaign, `campaign-<campaignId>` (workflows/campaign.ts). */
export const campaignSaga = defineSaga<CampaignInput, CampaignResult>()({
  workflowType: 'campaign',
  workflowId: (campaignId) => `campaign-${campaignId}`,
  businessKey: (input) => input.campaignId,
  searchAttributes: (input) => ({ CampaignId: input.campaignId, CustomerId: [input.ownerId] }),
  signals: {
    /** The owner cancelled the campaign (it is already `cancelled` in the database): refund now, not at `endsAt`. */
    campaignCancelled: signal<Record<string, never>>('campaignCancelled'),
  },
});
