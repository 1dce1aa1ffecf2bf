import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkflowHandle } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import type { AuctionActivities } from '../../activities/auctions.ts';
import type { FulfilmentActivities } from '../../activities/fulfilment.ts';
import type { PaymentActivities } from '../../activities/payments.ts';
import type { PayoutActivities } from '../../activities/payouts.ts';
import type { SettingsActivities } from '../../activities/settings.ts';
import type { DeliveryStatus } from '../../src/fulfilment/delivery.ts';
import type { ServiceStatus } from '../../src/fulfilment/service.ts';
import { deliveryFulfilmentSaga, type DeliveryFulfilmentInput } from '../../workflows/delivery-fulfilment.contract.ts';
import { deliveryFulfilment } from '../../workflows/delivery-fulfilment.ts';
import { ORDER_AFTER_PAYMENT, SAGAS_OF_2026_11_30 } from '../../workflows/patches.ts';
import { serviceFulfilmentSaga, type ServiceFulfilmentInput } from '../../workflows/service-fulfilment.contract.ts';
import { serviceFulfilment } from '../../workflows/service-fulfilment.ts';
import { historyFromJSON, historyToJSON, lastHistoryJSONPath, readHistoryFile, workflowIdOf } from '../support/history-json.ts';
import {
  CallLog,
  currentWorkflowId,
  recorded,
  sagaTestWorkerForThisFile,
  TEST_SAGA_TIMEOUTS,
  unusedActivities,
  waitForStep,
} from '../support/saga-test-worker.ts';
import { testWorkflowBundle } from '../support/replay.ts';
import { ensureTestRuntime } from '../support/test-env.ts';

/**
 * Determinism of the order sagas across issue 13's rewrite (`patched(ORDER_AFTER_PAYMENT)`):
 * - the four histories recorded from the code before it (test/workflows/histories, see
 *   its README) replay against the current workflow bundle: sagas started then, finished
 *   or still in flight at deploy, run on as they began (deliveryFulfilmentBeforeOrders,
 *   serviceFulfilmentBeforeOrders);
 * - a tampered copy of one fails, so a passing replay means something;
 * - histories recorded here from the new code (completed and in flight, through seller,
 *   carrier, buyer, timers and payout) carry the newest patch marker (SAGAS_OF_2026_11_30,
 *   which implies this one) and replay too, after a round trip through proto-JSON.
 */

const HISTORIES = join(dirname(fileURLToPath(import.meta.url)), 'histories');
const bundle = testWorkflowBundle;

const RECORDED_V1 = [
  { file: 'delivery-fulfilment-v1-delivered', type: 'deliveryFulfilment', events: 47, ends: 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED' },
  { file: 'delivery-fulfilment-v1-returned', type: 'deliveryFulfilment', events: 60, ends: 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED' },
  { file: 'delivery-fulfilment-v1-awaiting-delivery', type: 'deliveryFulfilment', events: 40, ends: 'EVENT_TYPE_TIMER_STARTED' },
  { file: 'service-fulfilment-v1-issued', type: 'serviceFulfilment', events: 20, ends: 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED' },
] as const;

const jsonOf = (file: string) => JSON.parse(readFileSync(join(HISTORIES, `${file}.json`), 'utf8'));

const { EventType } = temporal.api.enums.v1;
/** The name of an event's type, whichever form (enum number or name) the history holds it in. */
const eventTypeName = (type: unknown): string => (typeof type === 'number' ? String(EventType[type]) : String(type));
const eventTypes = (history: History): string[] => (history.events ?? []).map((event) => eventTypeName(event.eventType));

/** The ids of the patches a history's markers record (`core_patch` markers, id in their details). */
function patchIdsOf(history: History): string[] {
  return (history.events ?? []).flatMap((event) => {
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_patch') return [];
    const payload = (marker.details?.['patch-data'] ?? marker.details?.['patch_data'])?.payloads?.[0];
    if (!payload?.data) return [`<unreadable: ${JSON.stringify(marker.details)}>`];
    return [JSON.parse(Buffer.from(payload.data).toString('utf8')).id as string];
  });
}

// --- the new code, run here with stubs over one in-memory record per saga ---

type Activities = AuctionActivities & FulfilmentActivities & PaymentActivities & PayoutActivities & SettingsActivities;

interface Fake {
  status: DeliveryStatus | ServiceStatus;
  timeouts: Partial<typeof TEST_SAGA_TIMEOUTS>;
}

const log = new CallLog();
const records = new Map<string, Fake>();
const fake = () => records.get(currentWorkflowId())!;
const turn = <S extends string>(from: S, to: S) => {
  const f = fake();
  if (f.status === from) f.status = to as Fake['status'];
  return { status: f.status as S };
};

const stubs: Activities = {
  ...unusedActivities,
  sagaTimeouts: async () => ({ ...TEST_SAGA_TIMEOUTS, settlementDelayMs: 200, ...fake().timeouts }),
  async createDelivery() {},
  async issueVoucher() {},
  async attachFulfilmentToAuction() {},
  deliveryStatus: async () => ({ status: fake().status as DeliveryStatus }),
  serviceStatus: async () => ({ status: fake().status as ServiceStatus }),
  rejectUnansweredOrder: async () => turn<DeliveryStatus>('pending', 'rejected'),
  bookCarrier: async (deliveryId) => ({
    trackingNumber: `TRACK-${deliveryId.slice(0, 8)}`,
    ...turn<DeliveryStatus>('pending', 'accepted'),
  }),
  async recordMissedDeadline() {},
  declareLost: async () => turn<DeliveryStatus>('accepted', 'delivered'), // the carrier delivered it after all
  remindToConfirm: async () => ({ status: fake().status as DeliveryStatus }),
  confirmUnclaimedDelivery: async () => turn<DeliveryStatus>('delivered', 'confirmed'),
  bookReturn: async (deliveryId) => ({ returnTrackingNumber: `RETURN-${deliveryId.slice(0, 8)}` }),
  expireVoucher: async () => turn<ServiceStatus>('issued', 'expired'),
  refundPayment: async () => ({ refundId: 'refund-1' }),
  refundExpiredVoucher: async () => ({ refundId: 'refund-unused-share' }),
  async markAuctionRefunded() {},
  schedulePayout: async ({ auctionId }) => ({ payoutId: `payout-${auctionId.slice(0, 8)}` }),
  payPayout: async () => ({ status: 'paid' as const }),
};

const env = sagaTestWorkerForThisFile('replay', recorded(log, stubs));

const parties = (id: string) => ({
  auctionId: crypto.randomUUID(),
  buyerId: `buyer-${id.slice(0, 8)}`,
  sellerId: `seller-${id.slice(0, 8)}`,
  paymentId: crypto.randomUUID(),
  title: 'A teapot',
});

async function startDelivery(timeouts: Fake['timeouts'] = {}) {
  const deliveryId = crypto.randomUUID();
  const input: DeliveryFulfilmentInput = { ...parties(deliveryId), deliveryId };
  records.set(deliveryFulfilmentSaga.idOf(input), { status: 'pending', timeouts });
  return env.startSaga(deliveryFulfilment, deliveryFulfilmentSaga, input);
}

async function startService(timeouts: Fake['timeouts'] = {}) {
  const serviceId = crypto.randomUUID();
  const input: ServiceFulfilmentInput = { ...parties(serviceId), serviceId };
  records.set(serviceFulfilmentSaga.idOf(input), { status: 'issued', timeouts });
  return env.startSaga(serviceFulfilment, serviceFulfilmentSaga, input);
}

/** A party's or the carrier's write on the record, then the saga nudged. */
async function moves(handle: WorkflowHandle, status: DeliveryStatus, by: 'party' | 'carrier' = 'party') {
  records.get(handle.workflowId)!.status = status;
  if (by === 'party') await handle.signal(deliveryFulfilmentSaga.signals.orderChanged, { status });
  else
    await handle.signal(deliveryFulfilmentSaga.signals.packageEvent, {
      eventId: crypto.randomUUID(),
      type: `package.${status}` as 'package.shipped',
    });
}

/** Sagas of the new code through their main branches; each resolves to its workflow id once it is where its history should be taken. */
const NEW_CODE_RUNS: Record<string, () => Promise<string>> = {
  async 'delivery: accepted, shipped, delivered, confirmed by the buyer, paid out'() {
    const handle = await startDelivery();
    await waitForStep(handle, 'awaiting-seller');
    await moves(handle, 'accepted');
    await waitForStep(handle, 'awaiting-shipment');
    await moves(handle, 'shipped', 'carrier');
    await waitForStep(handle, 'awaiting-delivery');
    await moves(handle, 'delivered', 'carrier');
    await waitForStep(handle, 'awaiting-confirmation');
    await moves(handle, 'confirmed');
    expect(await handle.result()).toEqual({ outcome: 'confirmed' });
    return handle.workflowId;
  },
  async 'delivery: the seller silent, rejected by the window, refunded'() {
    const handle = await startDelivery({ sellerResponseWindowMs: 300 });
    expect(await handle.result()).toEqual({ outcome: 'rejected' });
    return handle.workflowId;
  },
  async 'delivery: shipping deadlines missed twice, then the buyer silent: reminded, confirmed by the window'() {
    const handle = await startDelivery({ shippingDeadlineMs: 300, confirmationWindowMs: 500, confirmationReminderMs: 200 });
    await waitForStep(handle, 'awaiting-seller');
    await moves(handle, 'accepted');
    expect(await handle.result()).toEqual({ outcome: 'confirmed' });
    return handle.workflowId;
  },
  async 'delivery: a return booked and come back, refunded'() {
    const handle = await startDelivery();
    await waitForStep(handle, 'awaiting-seller');
    await moves(handle, 'accepted');
    await waitForStep(handle, 'awaiting-shipment');
    await moves(handle, 'delivered', 'carrier');
    await waitForStep(handle, 'awaiting-confirmation');
    await moves(handle, 'return-requested');
    await waitForStep(handle, 'awaiting-return');
    await moves(handle, 'returned', 'carrier');
    expect(await handle.result()).toEqual({ outcome: 'returned' });
    return handle.workflowId;
  },
  async 'delivery: in flight, awaiting the buyer'() {
    const handle = await startDelivery();
    await waitForStep(handle, 'awaiting-seller');
    await moves(handle, 'accepted');
    await waitForStep(handle, 'awaiting-shipment');
    await moves(handle, 'delivered', 'carrier');
    await waitForStep(handle, 'awaiting-confirmation');
    return handle.workflowId;
  },
  async 'service: unused, expired, the unused share refunded, the rest paid out'() {
    const handle = await startService({ voucherValidityMs: 300 });
    expect(await handle.result()).toEqual({ issued: true, outcome: 'expired' });
    return handle.workflowId;
  },
  async 'service: redeemed, paid out'() {
    const handle = await startService();
    await waitForStep(handle, 'issued');
    records.get(handle.workflowId)!.status = 'redeemed';
    await handle.signal(serviceFulfilmentSaga.signals.voucherChanged, { status: 'redeemed' });
    expect(await handle.result()).toEqual({ issued: true, outcome: 'redeemed' });
    return handle.workflowId;
  },
};

describe.concurrent('order sagas replay across issue 13 (patched ORDER_AFTER_PAYMENT)', () => {
  it.each(RECORDED_V1)('$file (recorded from the old code) replays on the current bundle', async ({ file, type, events, ends }) => {
    const history = readHistoryFile(join(HISTORIES, `${file}.json`));
    expect(history.events).toHaveLength(events);
    expect(history.events![0]!.workflowExecutionStartedEventAttributes?.workflowType?.name).toBe(type);
    expect(eventTypes(history).at(-1)).toBe(ends);
    expect(patchIdsOf(history)).toEqual([]); // recorded before the patch: replays take the old path
    const workflowId = workflowIdOf(history);
    expect(workflowId).toMatch(type === 'deliveryFulfilment' ? /^delivery-fulfilment-/ : /^service-fulfilment-/);
    ensureTestRuntime();
    await Worker.runReplayHistory(bundle(), history, workflowId);
  });

  it('all four replay in one replay worker, none with an error', async () => {
    ensureTestRuntime();
    const histories = RECORDED_V1.map(({ file }) => {
      const history = readHistoryFile(join(HISTORIES, `${file}.json`));
      return { workflowId: workflowIdOf(history)!, history };
    });
    const results = [];
    for await (const result of Worker.runReplayHistories(bundle(), histories)) results.push(result);
    expect(results.map((r) => [r.workflowId, r.error?.message])).toEqual(histories.map((h) => [h.workflowId, undefined]));
  });

  it('a tampered old history (the carrier booked where sagaTimeouts was) fails replay: a passing one means something', async () => {
    const json = jsonOf('delivery-fulfilment-v1-delivered');
    const scheduled = json.events.find((e: any) => e.activityTaskScheduledEventAttributes);
    expect(scheduled.activityTaskScheduledEventAttributes.activityType.name).toBe('sagaTimeouts');
    scheduled.activityTaskScheduledEventAttributes.activityType.name = 'bookCarrier';
    ensureTestRuntime();
    const error = await Worker.runReplayHistory(bundle(), historyFromJSON(json), workflowIdOf(historyFromJSON(json))).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DeterminismViolationError);
  });

  it('histories recorded from the new code carry the patch marker and replay after a round trip through proto-JSON', async () => {
    const ran = await Promise.all(Object.entries(NEW_CODE_RUNS).map(async ([name, run]) => ({ name, workflowId: await run() })));
    const histories = await Promise.all(
      ran.map(async ({ name, workflowId }) => {
        const fetched = await env.client.workflow.getHandle(workflowId).fetchHistory();
        const history = historyFromJSON(JSON.parse(historyToJSON(fetched)));
        expect(history.events, name).toHaveLength(fetched.events!.length);
        // Started now, a saga asks only SAGAS_OF_2026_11_30, which implies ORDER_AFTER_PAYMENT (patches.ts).
        expect(patchIdsOf(history), name).toEqual([SAGAS_OF_2026_11_30]);
        return { name, workflowId, history };
      }),
    );
    const inFlight = histories.find(({ name }) => name.includes('in flight'))!;
    expect(eventTypes(inFlight.history)).not.toContain('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
    const timers = histories.find(({ name }) => name.includes('deadlines missed'))!;
    expect(log.names(timers.workflowId)).toEqual(
      expect.arrayContaining(['declareLost', 'remindToConfirm', 'confirmUnclaimedDelivery', 'payPayout']),
    );
    ensureTestRuntime();
    const results = [];
    for await (const result of Worker.runReplayHistories(bundle(), histories)) results.push(result);
    expect(results.map((r) => [r.workflowId, r.error?.message])).toEqual(histories.map((h) => [h.workflowId, undefined]));
    console.log(
      `history JSON via ${lastHistoryJSONPath}; replayed ${results.length} new-code histories: ${ran.map(({ name }) => name).join(' | ')}`,
    );
  });
});
