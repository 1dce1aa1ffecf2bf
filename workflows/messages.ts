/** Typed signal and query definitions for workflow code; the names live in message-names.ts. */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { SagaState } from '../src/platform/temporal/saga-state.ts';
import {
  ACKNOWLEDGE_PING_SIGNAL,
  CHARGE_REQUESTED_SIGNAL,
  END_AUCTION_NOW_SIGNAL,
  LIGHTNING_PAYMENT_FAILED_SIGNAL,
  LIGHTNING_PAYMENT_SUCCEEDED_SIGNAL,
  PAYMENT_CAPTURED_SIGNAL,
  PACKAGE_EVENT_SIGNAL,
  PAYMENT_FAILED_SIGNAL,
  SAGA_STATE_QUERY,
} from './message-names.ts';

export const sagaStateQuery = defineQuery<SagaState>(SAGA_STATE_QUERY);

export const acknowledgePingSignal = defineSignal<[{ by: string }]>(ACKNOWLEDGE_PING_SIGNAL);

export const endAuctionNowSignal = defineSignal<[Record<string, never>]>(END_AUCTION_NOW_SIGNAL);

export interface ChargeRequested {
  attempt: number;
  cardToken: string;
}
export const chargeRequestedSignal = defineSignal<[ChargeRequested]>(CHARGE_REQUESTED_SIGNAL);

/** A provider webhook turned signal; `eventId` is the webhook's id, for deduplication. */
export interface ProviderOutcome {
  eventId: string;
  reason?: string;
}
export const paymentCapturedSignal = defineSignal<[ProviderOutcome]>(PAYMENT_CAPTURED_SIGNAL);
export const paymentFailedSignal = defineSignal<[ProviderOutcome]>(PAYMENT_FAILED_SIGNAL);

/** A carrier webhook turned signal; `eventId` is the webhook's id, for deduplication. */
export interface PackageEvent {
  eventId: string;
  type: 'package.shipped' | 'package.delivered' | 'package.returned' | 'package.lost';
}
export const packageEventSignal = defineSignal<[PackageEvent]>(PACKAGE_EVENT_SIGNAL);

/** A lightning-node webhook turned signal; `eventId` is the webhook's id, for deduplication. */
export interface LightningOutcome {
  eventId: string;
  paymentHash: string;
  reason?: string;
}
export const lightningPaymentSucceededSignal = defineSignal<[LightningOutcome]>(LIGHTNING_PAYMENT_SUCCEEDED_SIGNAL);
export const lightningPaymentFailedSignal = defineSignal<[LightningOutcome]>(LIGHTNING_PAYMENT_FAILED_SIGNAL);
