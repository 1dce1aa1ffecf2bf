import { Context } from '@temporalio/activity';
import type pg from 'pg';
import { z } from 'zod';
import { closeCampaign, refundHeldDonations, releaseEscrow } from '../src/crowdfunding/use-cases.ts';
import type { Clock } from '../src/kernel/clock.ts';

const CampaignId = z.string().uuid();
/** Refunds per activity call: enough to be quick, few enough that a retry after a crash repeats little work. */
const Batch = z.number().int().min(1).max(1_000);

/**
 * Activities of the crowdfunding context, each idempotent: closing a closed campaign
 * answers its status, a refunded donation is not refunded again, an emptied escrow
 * releases nothing.
 */
export function createCrowdfundingActivities(deps: { pool: pg.Pool; clock: Clock }) {
  return {
    closeCampaign: (campaignId: string) => closeCampaign(deps, CampaignId.parse(campaignId)),
    // Heartbeats after each refund (DATABASE_BATCH): a worker killed mid-batch is replaced in seconds.
    refundHeldDonations: (campaignId: string, batch: number) =>
      refundHeldDonations(deps, CampaignId.parse(campaignId), Batch.parse(batch), () => Context.current().heartbeat()),
    releaseEscrow: (campaignId: string) => releaseEscrow(deps, CampaignId.parse(campaignId)),
  };
}

export type CrowdfundingActivities = ReturnType<typeof createCrowdfundingActivities>;
