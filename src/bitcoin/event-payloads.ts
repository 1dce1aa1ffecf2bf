import { z } from 'zod';
import { eventPayload, MoneyJsonSchema, type OutboxPayloadSchemas } from '../platform/bus/event-handlers.ts';
import type { WithdrawalEvent } from './domain.ts';

const PaymentHash = z.string().regex(/^[0-9a-f]{64}$/);
const owner = { customerId: z.string().min(1), amount: MoneyJsonSchema };

/**
 * The outbox payloads of the withdrawal events other code consumes, one schema each; the
 * `satisfies` ties every schema to its event in `WithdrawalEvent`, so the two cannot drift.
 */
export const withdrawalEventPayloads = {
  WithdrawalRequested: eventPayload({ ...owner, accountId: z.string().min(1), paymentHash: PaymentHash }),
  WithdrawalPaid: eventPayload({ ...owner, paymentHash: PaymentHash }),
  WithdrawalRejected: eventPayload({ ...owner, reason: z.string() }),
  WithdrawalFailed: eventPayload({ ...owner, reason: z.string() }),
} satisfies OutboxPayloadSchemas<WithdrawalEvent>;
