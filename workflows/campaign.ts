import { condition, setHandler } from '@temporalio/workflow';
import type { CrowdfundingActivities } from '../activities/crowdfunding.ts';
import { databaseBatches, databaseSteps } from './activity-options.ts';
import { campaignSaga, type CampaignInput, type CampaignResult } from './campaign.contract.ts';
import { SagaJournal } from './saga-journal.ts';

const { closeCampaign, releaseEscrow } = databaseSteps<CrowdfundingActivities>();
const { refundHeldDonations } = databaseBatches<CrowdfundingActivities>();

/** Donations refunded per activity call. */
const REFUND_BATCH = 100;

/**
 * Seed 003's crowdfunding campaign (`campaign-<campaignId>`), all or nothing:
 * 1. sleep on a durable timer until `endsAt`, or until the owner cancels;
 * 2. close the campaign: `succeeded` if the escrow reached the goal, else `failed` (the
 *    database decides under the campaign's row lock, so no donation slips in between);
 * 3. succeeded: the whole escrow to the owner, in one posting; failed or cancelled: every
 *    donation back to its donor, a batch at a time, each exactly once.
 * Every step is idempotent, so a crashed worker's retry repeats nothing. The money moved
 * is the platform's own ledger, so these are database steps.
 */
export async function campaign(input: CampaignInput): Promise<CampaignResult> {
  const journal = new SagaJournal('open', [input.ownerId], { campaignId: input.campaignId });
  journal.searchable({ CampaignId: [input.campaignId] }); // whoever started it, the Temporal UI finds it by campaign
  let cancelled = false;
  setHandler(campaignSaga.signals.campaignCancelled, () => void (cancelled = true));

  const untilEnd = Date.parse(input.endsAt) - Date.now();
  if (untilEnd > 0) await condition(() => cancelled, untilEnd);

  journal.enter('closing');
  const status = await closeCampaign(input.campaignId);
  if (status === 'open') throw new Error(`campaign ${input.campaignId} is still open after closing`); // cannot happen: close decides
  if (status === 'succeeded') {
    journal.enter('releasing-escrow');
    const { released } = await releaseEscrow(input.campaignId);
    journal.enter('paid-to-owner');
    return { outcome: 'succeeded', released };
  }
  journal.enter('refunding');
  let refunded = 0;
  for (;;) {
    const batch = await refundHeldDonations(input.campaignId, REFUND_BATCH);
    refunded += batch.refunded;
    if (!batch.remaining) break;
  }
  journal.enter('refunded');
  return { outcome: status, refunded };
}
