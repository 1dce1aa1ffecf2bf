import { eventHandlers } from '../platform/bus/event-handlers.ts';
import type { MessageBus } from '../platform/bus/message-bus.ts';
import type { WorkflowGateway } from '../platform/temporal/workflow-gateway.ts';
import { campaignSaga } from '../../workflows/campaign.contract.ts';
import type { CampaignEvent } from './domain.ts';
import { campaignEventPayloads } from './event-payloads.ts';

/**
 * The outbox's guarantees behind `POST /campaigns` and `POST /campaigns/:id/cancel`:
 * every opened campaign gets its saga, and a cancelled one's saga hears of it (the API
 * does both at once too; these cover a call that did not get through).
 */
export function subscribeCrowdfundingHandlers(bus: MessageBus, workflows: WorkflowGateway, taskQueue: string): void {
  const handle = eventHandlers<CampaignEvent>(bus);
  const inputOf = (event: { aggregateId: string; ownerId: string; endsAt: string }) => ({
    campaignId: event.aggregateId,
    ownerId: event.ownerId,
    endsAt: event.endsAt,
  });
  handle('CampaignOpened', 'crowdfunding.start-campaign-saga', campaignEventPayloads.CampaignOpened, async (event) => {
    await workflows.start(campaignSaga, inputOf(event), { taskQueue });
  });
  // Started here if it never was, so a cancellation is never lost to a saga not yet running.
  handle('CampaignCancelled', 'crowdfunding.tell-campaign-saga', campaignEventPayloads.CampaignCancelled, async (event) => {
    await workflows.signalWithStart(campaignSaga, inputOf(event), campaignSaga.signals.campaignCancelled, {}, { taskQueue });
  });
}
