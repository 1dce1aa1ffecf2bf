import { z } from 'zod';
import { eventPayload, MoneyJsonSchema, type OutboxPayloadSchemas } from '../platform/bus/event-handlers.ts';
import type { CampaignEvent } from './domain.ts';

const campaign = { ownerId: z.string().min(1), title: z.string() };
const figures = { goal: MoneyJsonSchema, raised: MoneyJsonSchema };

/**
 * The outbox payloads of the campaign events other code consumes (the saga's starter and
 * the e-mails); `satisfies` ties each schema to its event in `CampaignEvent`.
 */
export const campaignEventPayloads = {
  CampaignOpened: eventPayload({ ...campaign, goal: MoneyJsonSchema, endsAt: z.string().datetime() }),
  CampaignGoalReached: eventPayload({ ...campaign, ...figures }),
  CampaignSucceeded: eventPayload({ ...campaign, ...figures }),
  CampaignFailed: eventPayload({ ...campaign, ...figures }),
  CampaignCancelled: eventPayload({ ...campaign, raised: MoneyJsonSchema, endsAt: z.string().datetime() }),
  DonationRefunded: eventPayload({
    ...campaign,
    donationId: z.string().uuid(),
    donorId: z.string().min(1),
    amount: MoneyJsonSchema,
    reason: z.enum(['open', 'succeeded', 'failed', 'cancelled']),
  }),
  EscrowReleased: eventPayload({ ...campaign, postingId: z.string().uuid(), amount: MoneyJsonSchema }),
} satisfies OutboxPayloadSchemas<CampaignEvent>;
