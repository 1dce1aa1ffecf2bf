import type pg from 'pg';
import { Account, InsufficientFunds } from '../accounting/domain.ts';
import { addAccount, findAccount } from '../accounting/repository.ts';
import { LEDGER_RETRY } from '../accounting/use-cases.ts';
import type { Clock } from '../kernel/clock.ts';
import { NotFound } from '../kernel/errors.ts';
import { idFromRequestKey } from '../kernel/ids.ts';
import type { Money } from '../kernel/money.ts';
import { retryOnConflict } from '../platform/db/retry-on-conflict.ts';
import { runInUnitOfWork, type UnitOfWork } from '../platform/db/unit-of-work.ts';
import { Campaign, type CampaignStatus } from './domain.ts';
import { addCampaign, findCampaignForDonation, findCampaignForUpdate, heldDonationIds } from './repository.ts';

/**
 * Crowdfunding's use cases, each one unit of work. Every one that touches a campaign
 * locks its row first (findCampaignForUpdate), so donations, the end, a cancellation and
 * the refunds of one campaign happen one after another, and each sees what the previous
 * one left. Accounts are versioned writes, retried from a fresh read on a lost race.
 */
export interface CrowdfundingDeps {
  pool: pg.Pool;
  clock: Clock;
}

export interface OpenCampaign {
  campaignId: string;
  ownerId: string;
  title: string;
  description?: string;
  goal: Money;
  endsAt: Date;
}

/** Opens a campaign; a repeat with the same id (an Idempotency-Key rerun) finds it. */
export async function openCampaign(deps: CrowdfundingDeps, input: OpenCampaign): Promise<{ campaignId: string; endsAt: Date }> {
  return runInUnitOfWork(deps.pool, async (uow) => {
    const existing = await findCampaignForUpdate(uow, input.campaignId);
    if (existing) return { campaignId: existing.id, endsAt: existing.state.endsAt };
    const campaign = Campaign.open({ id: input.campaignId, ...input, now: deps.clock.now() });
    addCampaign(uow, campaign);
    return { campaignId: campaign.id, endsAt: campaign.state.endsAt };
  });
}

async function requireCampaign(uow: UnitOfWork, campaignId: string, options: { donationId?: string } = {}): Promise<Campaign> {
  const campaign = await findCampaignForUpdate(uow, campaignId, options);
  if (!campaign) throw new NotFound(`no campaign ${campaignId}`);
  return campaign;
}

/**
 * Moves `amount` from the donor's account into the campaign's escrow. 409 once the
 * campaign is closed (nothing moves); 422 for one's own campaign or too little available.
 * Idempotent per donation id.
 */
export async function donate(
  deps: CrowdfundingDeps,
  input: { campaignId: string; donorId: string; donationId: string; amount: Money },
): Promise<{ donationId: string; raised: Money }> {
  return retryOnConflict(
    () =>
      runInUnitOfWork(deps.pool, async (uow) => {
        // The donor's account is read before the campaign is locked, so the donors queued on
        // a hot campaign wait for one round trip less each (its versioned write still catches a race).
        const donor = await findAccount(uow, input.donorId);
        const campaign = await findCampaignForDonation(uow, input.campaignId, input.donationId);
        if (!campaign) throw new NotFound(`no campaign ${input.campaignId}`);
        if (campaign.hasDonation(input.donationId)) return { donationId: input.donationId, raised: campaign.state.raised };
        const posting = campaign.donate(input);
        if (!donor) throw new InsufficientFunds(`${input.amount} is more than the 0 SAT available in account ${input.donorId}`);
        donor.apply(posting);
        return { donationId: input.donationId, raised: campaign.state.raised };
      }),
    LEDGER_RETRY,
  );
}

/** At `endsAt`: decides succeeded or failed from what the escrow holds. Idempotent. */
export async function closeCampaign(deps: CrowdfundingDeps, campaignId: string): Promise<CampaignStatus> {
  return runInUnitOfWork(deps.pool, async (uow) => (await requireCampaign(uow, campaignId)).close(deps.clock.now()));
}

/** The owner calls an open campaign off (403 for anyone else, 409 once closed). */
export async function cancelCampaign(deps: CrowdfundingDeps, input: { campaignId: string; customerId: string }): Promise<void> {
  await runInUnitOfWork(deps.pool, async (uow) => {
    const campaign = await requireCampaign(uow, input.campaignId);
    campaign.cancel(input.customerId, deps.clock.now());
  });
}

/** The refund's posting id follows from the donation's, so a retried refund finds its posting. */
const refundPostingId = (donationId: string) => idFromRequestKey('donation-refund', 'crowdfunding', donationId);
const releasePostingId = (campaignId: string) => idFromRequestKey('escrow-release', 'crowdfunding', campaignId);

/** Gives one donation back to its donor; a repeat moves nothing. */
export async function refundDonation(
  deps: CrowdfundingDeps,
  input: { campaignId: string; donationId: string },
): Promise<{ refunded: boolean }> {
  const postingId = await refundPostingId(input.donationId);
  return retryOnConflict(
    () =>
      runInUnitOfWork(deps.pool, async (uow) => {
        const campaign = await requireCampaign(uow, input.campaignId, { donationId: input.donationId });
        const posting = campaign.refund(input.donationId, postingId);
        if (!posting) return { refunded: false };
        const donorId = posting.entries.find((e) => e.amount > 0n)!.accountId;
        const donor = await findAccount(uow, donorId);
        if (!donor) throw new NotFound(`donor account ${donorId} is gone`);
        donor.apply(posting);
        return { refunded: true };
      }),
    LEDGER_RETRY,
  );
}

/**
 * Refunds up to `batch` of the donations still held, one unit of work each, so a crash
 * between two loses nothing and repeats nothing; returns how many were refunded and
 * whether any remain.
 */
export async function refundHeldDonations(
  deps: CrowdfundingDeps,
  campaignId: string,
  batch: number,
  /** Called after each donation, refunded or found refunded already (the activity heartbeats). */
  progress: () => void = () => undefined,
): Promise<{ refunded: number; remaining: boolean }> {
  const ids = await heldDonationIds(deps.pool, campaignId, batch);
  let refunded = 0;
  for (const donationId of ids) {
    if ((await refundDonation(deps, { campaignId, donationId })).refunded) refunded++;
    progress();
  }
  return { refunded, remaining: ids.length === batch };
}

/** Pays the whole escrow to the owner in one posting (opening the owner's account if need be); a repeat moves nothing. */
export async function releaseEscrow(deps: CrowdfundingDeps, campaignId: string): Promise<{ released: boolean }> {
  const postingId = await releasePostingId(campaignId);
  return retryOnConflict(
    () =>
      runInUnitOfWork(deps.pool, async (uow) => {
        const campaign = await requireCampaign(uow, campaignId);
        const posting = campaign.releaseEscrow(postingId);
        if (!posting) return { released: false };
        let owner = await findAccount(uow, campaign.state.ownerId);
        if (!owner) {
          owner = Account.open(campaign.state.ownerId);
          addAccount(uow, owner);
        }
        owner.apply(posting);
        return { released: true };
      }),
    LEDGER_RETRY,
  );
}
