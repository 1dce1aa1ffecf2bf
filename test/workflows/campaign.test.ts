import { describe, expect, it } from 'vitest';
import type { CrowdfundingActivities } from '../../activities/crowdfunding.ts';
import type { CampaignStatus } from '../../src/crowdfunding/domain.ts';
import { campaignSaga, type CampaignInput } from '../../workflows/campaign.contract.ts';
import { campaign } from '../../workflows/campaign.ts';
import {
  CallLog,
  currentWorkflowId,
  recorded,
  sagaState,
  sagaTestWorkerForThisFile,
  stepsOf,
  waitForStep,
} from '../support/saga-test-worker.ts';

/**
 * The campaign saga against the real dev server with stub activities. Branches:
 * - the timer reaches `endsAt`: closed; goal met → the escrow released once; missed → refunds;
 * - refunds run batch after batch until none remain;
 * - the owner cancels (signal) → closed at once, before `endsAt`, and refunded;
 * - `endsAt` already past → closed at once;
 * - started by the cancellation itself (signal-with-start, the saga never ran) → closed and refunded;
 * - a transient error while refunding is retried by Temporal;
 * - search attributes: CampaignId and the owner's CustomerId.
 */
type Scenario = { closesAs: CampaignStatus; held: number; refundFailures?: number };

const log = new CallLog();
const scenarios = new Map<string, Scenario>();
const scenario = () => scenarios.get(currentWorkflowId())!;

const stubs: CrowdfundingActivities = {
  async closeCampaign() {
    return scenario().closesAs;
  },
  async refundHeldDonations(_campaignId, batch) {
    const s = scenario();
    if (s.refundFailures) {
      s.refundFailures--;
      throw new Error('database restarting');
    }
    const refunded = Math.min(batch, s.held);
    s.held -= refunded;
    // As the real one: "remaining" means a full batch came back, so one more call finds out.
    return { refunded, remaining: refunded === batch };
  },
  async releaseEscrow() {
    return { released: true };
  },
};

const env = sagaTestWorkerForThisFile('campaign', recorded(log, stubs));

let next = 0;
function inputOf(endsInMs: number): CampaignInput {
  return { campaignId: `c-${Date.now()}-${++next}`, ownerId: 'owner-1', endsAt: new Date(Date.now() + endsInMs).toISOString() };
}

async function run(input: CampaignInput, s: Scenario) {
  scenarios.set(campaignSaga.workflowId(input.campaignId), s);
  return env.startSaga(campaign, campaignSaga, input);
}

describe('the campaign saga', () => {
  it('sleeps until endsAt, then releases the escrow of a campaign that met its goal, once', async () => {
    const input = inputOf(1_500);
    const started = Date.now();
    const handle = await run(input, { closesAs: 'succeeded', held: 3 });
    await waitForStep(handle, 'open');
    expect(await handle.result()).toEqual({ outcome: 'succeeded', released: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    expect(log.names(handle.workflowId)).toEqual(['closeCampaign', 'releaseEscrow']);
    expect(stepsOf(await sagaState(handle))).toEqual(['open', 'closing', 'releasing-escrow', 'paid-to-owner']);
    const { searchAttributes } = await handle.describe();
    expect(searchAttributes).toMatchObject({ CampaignId: [input.campaignId], CustomerId: ['owner-1'], SagaStep: ['paid-to-owner'] });
  });

  it('refunds a campaign that missed its goal, batch after batch until none remain', async () => {
    const handle = await run(inputOf(0), { closesAs: 'failed', held: 250 });
    expect(await handle.result()).toEqual({ outcome: 'failed', refunded: 250 });
    expect(log.argsOf(handle.workflowId, 'refundHeldDonations').map((args) => args[1])).toEqual([100, 100, 100]);
    expect(stepsOf(await sagaState(handle))).toEqual(['open', 'closing', 'refunding', 'refunded']);
  });

  it('closes at once when the owner cancels, long before endsAt, and refunds', async () => {
    const handle = await run(inputOf(3_600_000), { closesAs: 'cancelled', held: 2 });
    await waitForStep(handle, 'open');
    await handle.signal(campaignSaga.signals.campaignCancelled, {});
    expect(await handle.result()).toEqual({ outcome: 'cancelled', refunded: 2 });
  });

  it('started by the cancellation itself (it never ran), refunds at once', async () => {
    const input = inputOf(3_600_000);
    scenarios.set(campaignSaga.workflowId(input.campaignId), { closesAs: 'cancelled', held: 1 });
    const handle = env.track(
      await env.client.workflow.signalWithStart(campaign, {
        args: [input],
        taskQueue: env.taskQueue,
        workflowId: campaignSaga.idOf(input),
        signal: campaignSaga.signals.campaignCancelled,
        signalArgs: [{}],
      }),
    );
    expect(await handle.result()).toEqual({ outcome: 'cancelled', refunded: 1 });
  });

  it('retries a refund batch that failed on a transient error, refunding each donation once', async () => {
    const handle = await run(inputOf(0), { closesAs: 'failed', held: 5, refundFailures: 2 });
    expect(await handle.result()).toEqual({ outcome: 'failed', refunded: 5 });
    expect(log.callsTo(handle.workflowId, 'refundHeldDonations').map((call) => call.attempt)).toEqual([1, 2, 3]);
  });
});
