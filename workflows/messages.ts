/** Typed signal and query definitions for workflow code; the names live in message-names.ts. */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { SagaState } from '../src/platform/temporal/saga-state.ts';
import { ACKNOWLEDGE_PING_SIGNAL, SAGA_STATE_QUERY } from './message-names.ts';

export const sagaStateQuery = defineQuery<SagaState>(SAGA_STATE_QUERY);

export const acknowledgePingSignal = defineSignal<[{ by: string }]>(ACKNOWLEDGE_PING_SIGNAL);
