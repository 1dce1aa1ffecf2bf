import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import type { AuctionActivities } from '../../activities/auctions.ts';
import type { FulfilmentActivities } from '../../activities/fulfilment.ts';
import type { PaymentActivities } from '../../activities/payments.ts';
import type { PayoutActivities } from '../../activities/payouts.ts';
import type { SettingsActivities } from '../../activities/settings.ts';
import type { CarrierShipmentStatus, DeliveryStatus } from '../../src/fulfilment/delivery.ts';
import { deliveryFulfilmentSaga, type DeliveryFulfilmentInput, type PackageEvent } from '../../workflows/delivery-fulfilment.contract.ts';
import { deliveryFulfilment } from '../../workflows/delivery-fulfilment.ts';
import {
  CallLog,
  currentWorkflowId,
  recorded,
  sagaState,
  sagaTestWorkerForThisFile,
  stepsOf,
  TEST_SAGA_TIMEOUTS,
  unusedActivities,
  until,
  waitForStep,
} from '../support/saga-test-worker.ts';

/**
 * deliveryFulfilment (the order after payment, issue 13) against the real dev server with
 * stub activities. The stubs act on one in-memory record per saga, as the delivery's row
 * would: the test moves its status as a party or the carrier would (then nudges the saga
 * with `orderChanged` / `packageEvent`), the timer steps move it as the domain's guarded
 * writes do and return the status they found. Branches:
 * - accepted → booked → shipped → delivered → confirmed → payout scheduled (whole) and paid later;
 * - rejected by the seller, or silent until the window ends → refunded, nothing booked;
 * - the accept racing the window's end: the window's step finds it accepted → booked;
 * - cancelled by the buyer before booking, while booking, or after it → shipment cancelled, refunded;
 * - cancelled while the booking was being recorded, the carrier refusing (the parcel had left):
 *   cancelShipment answers return-requested → the return booked → refunded only once it is back
 *   (or, never handed over, the return lapses and the seller is paid);
 * - delivered, nobody answers → reminded, then confirmed at the window's end → payout;
 *   a return claimed just before the window's step → the return goes ahead; the buyer's answer
 *   landing just before the reminder → no reminder journaled;
 * - a return → booked with the carrier → returned → refunded; overdue → settleOverdueReturn decides;
 * - the carrier's deadlines missed twice (shipping or delivery) → declareLost decides;
 *   the missed-deadline count runs on across the stages; a deadline whose re-read finds the record
 *   moved on (its nudge lost) is no missed deadline;
 * - extra, duplicate or wrong nudges change nothing (the record decides, not the signal);
 * - a transient carrier error while booking is retried by Temporal.
 */

type Activities = AuctionActivities & FulfilmentActivities & PaymentActivities & PayoutActivities & SettingsActivities;
type Timeouts = typeof TEST_SAGA_TIMEOUTS;

/** The delivery's row, as far as the stubs need it. */
interface FakeDelivery {
  status: DeliveryStatus;
  trackingNumber: string | null;
  returnTrackingNumber: string | null;
  reminderSent: boolean;
  /** What the carrier says of the outbound parcel when declareLost asks. */
  carrierSays: CarrierShipmentStatus;
  /** What the carrier says of the return when settleOverdueReturn asks. */
  returnAtCarrier: CarrierShipmentStatus;
  bookCarrierFailures: number;
  /** Runs inside bookCarrier before it books (a party's write landing meanwhile). */
  whileBooking?: (delivery: FakeDelivery) => void;
  /** Runs inside bookCarrier after the carrier booked, before the booking is recorded (a party's write landing meanwhile). */
  whileRecording?: (delivery: FakeDelivery) => void;
  /** The parcel has left: the carrier refuses to cancel its booking (cancelShipment then records cancelledTooLate). */
  parcelLeft: boolean;
  timeouts: Partial<Timeouts>;
}

const UNDER_WAY: readonly DeliveryStatus[] = ['accepted', 'shipped'];

const log = new CallLog();
const deliveries = new Map<string, FakeDelivery>();
const delivery = () => deliveries.get(currentWorkflowId())!;

const stubs: Activities = {
  ...unusedActivities,
  // Long windows unless a test is about one; the payout quick, so a confirmed order ends soon.
  sagaTimeouts: async () => ({ ...TEST_SAGA_TIMEOUTS, settlementDelayMs: 300, ...delivery().timeouts }),
  async createDelivery() {},
  async attachFulfilmentToAuction() {},
  deliveryStatus: async () => ({ status: delivery().status }),
  async rejectUnansweredOrder() {
    const d = delivery();
    if (d.status === 'pending') d.status = 'rejected';
    return { status: d.status };
  },
  async bookCarrier(deliveryId) {
    const d = delivery();
    if (d.bookCarrierFailures > 0) {
      d.bookCarrierFailures--;
      throw new Error('carrier 503');
    }
    d.whileBooking?.(d);
    if (d.trackingNumber || d.status === 'cancelled') return { trackingNumber: d.trackingNumber, status: d.status };
    d.whileRecording?.(d);
    // Recorded even on an order cancelled meanwhile (DeliveryTransaction.booked), so the saga can cancel it.
    d.trackingNumber = `TRACK-${deliveryId.slice(0, 8)}`;
    if (d.status === 'pending') d.status = 'accepted';
    return { trackingNumber: d.trackingNumber, status: d.status };
  },
  async cancelShipment() {
    const d = delivery();
    // Cancelled at the carrier, unless the parcel has left: then the order becomes a return (cancelledTooLate).
    if (d.status === 'cancelled' && d.trackingNumber !== null && d.parcelLeft) d.status = 'return-requested';
    return { status: d.status };
  },
  async recordMissedDeadline() {},
  async declareLost() {
    const d = delivery();
    if (UNDER_WAY.includes(d.status)) d.status = d.carrierSays === 'delivered' || d.carrierSays === 'returned' ? d.carrierSays : 'lost';
    return { status: d.status };
  },
  async remindToConfirm() {
    const d = delivery();
    if (d.status === 'delivered') d.reminderSent = true;
    return { status: d.status };
  },
  async confirmUnclaimedDelivery() {
    const d = delivery();
    if (d.status === 'delivered') d.status = 'confirmed';
    return { status: d.status };
  },
  async bookReturn(deliveryId) {
    const d = delivery();
    d.returnTrackingNumber ??= `RETURN-${deliveryId.slice(0, 8)}`;
    return { returnTrackingNumber: d.returnTrackingNumber };
  },
  async settleOverdueReturn() {
    const d = delivery();
    if (d.status === 'return-requested') {
      const at = d.returnAtCarrier;
      d.status = at === 'returned' || at === 'delivered' ? 'returned' : at === 'booked' || at === 'cancelled' ? 'confirmed' : 'lost';
    }
    return { status: d.status };
  },
  refundPayment: async () => ({ refundId: 'refund-1' }),
  async markAuctionRefunded() {},
  schedulePayout: async ({ auctionId }) => ({ payoutId: `payout-${auctionId.slice(0, 8)}` }),
  payPayout: async () => ({ status: 'paid' as const }),
};

const env = sagaTestWorkerForThisFile('delivery', recorded(log, stubs));

const { orderChanged, packageEvent } = deliveryFulfilmentSaga.signals;

interface Run {
  handle: WorkflowHandle;
  workflowId: string;
  input: DeliveryFulfilmentInput;
  deliveryId: string;
  d: FakeDelivery;
}

async function start(options: Partial<FakeDelivery> = {}): Promise<Run> {
  const deliveryId = crypto.randomUUID();
  const input: DeliveryFulfilmentInput = {
    auctionId: crypto.randomUUID(),
    buyerId: `buyer-${deliveryId.slice(0, 8)}`,
    sellerId: `seller-${deliveryId.slice(0, 8)}`,
    paymentId: crypto.randomUUID(),
    title: 'A teapot',
    deliveryId,
  };
  const workflowId = deliveryFulfilmentSaga.idOf(input);
  const d: FakeDelivery = {
    status: 'pending',
    trackingNumber: null,
    returnTrackingNumber: null,
    reminderSent: false,
    carrierSays: 'booked',
    returnAtCarrier: 'booked',
    bookCarrierFailures: 0,
    parcelLeft: false,
    timeouts: {},
    ...options,
  };
  deliveries.set(workflowId, d);
  const handle = await env.startSaga(deliveryFulfilment, deliveryFulfilmentSaga, input);
  return { handle, workflowId, input, deliveryId, d };
}

/** A party's write (accept, reject, cancel, confirm, claim a return) lands on the record, then the route nudges the saga. */
async function partyMoves(run: Run, status: DeliveryStatus): Promise<void> {
  run.d.status = status;
  await run.handle.signal(orderChanged, { status });
}

const REPORTED: Record<PackageEvent['type'], DeliveryStatus> = {
  'package.shipped': 'shipped',
  'package.delivered': 'delivered',
  'package.returned': 'returned',
  'package.lost': 'lost',
};

/** A carrier webhook applied to the record, then the saga nudged with its event. */
async function carrierReports(run: Run, type: PackageEvent['type'], eventId: string = crypto.randomUUID()): Promise<void> {
  run.d.status = REPORTED[type];
  await run.handle.signal(packageEvent, { eventId, type });
}

/** Accepted by the seller, booked, shipped and delivered: the saga awaits the buyer's answer. */
async function deliver(run: Run): Promise<void> {
  await partyMoves(run, 'accepted');
  await waitForStep(run.handle, 'awaiting-shipment');
  await carrierReports(run, 'package.shipped');
  await waitForStep(run.handle, 'awaiting-delivery');
  await carrierReports(run, 'package.delivered');
  await waitForStep(run.handle, 'awaiting-confirmation');
}

const SETUP = ['sagaTimeouts', 'createDelivery', 'attachFulfilmentToAuction'];
const DELIVERED_STEPS = [
  'creating-delivery',
  'awaiting-seller',
  'booking-carrier',
  'awaiting-shipment',
  'awaiting-delivery',
  'awaiting-confirmation',
];
const PAYOUT_STEPS = ['scheduling-payout', 'awaiting-settlement', 'paying-out', 'paid-out'];

const missed = (run: Run) => log.argsOf(run.workflowId, 'recordMissedDeadline');
const call = (run: Run, name: string) => {
  const calls = log.callsTo(run.workflowId, name);
  expect(calls, name).toHaveLength(1);
  return calls[0]!;
};
/** When the saga entered `step`, by its own (workflow) clock. */
const enteredAt = async (run: Run, step: string) =>
  Date.parse((await sagaState(run.handle)).history.find((entry) => entry.step === step)!.at);

/** Refunded in full, once, and nothing paid to the seller. */
function expectRefunded(run: Run): void {
  expect(log.argsOf(run.workflowId, 'refundPayment')).toEqual([[run.input.paymentId]]);
  expect(log.argsOf(run.workflowId, 'markAuctionRefunded')).toEqual([[run.input.auctionId]]);
  expect(log.callsTo(run.workflowId, 'schedulePayout')).toHaveLength(0);
  expect(log.callsTo(run.workflowId, 'payPayout')).toHaveLength(0);
}

/** The seller's whole payout scheduled once and paid once; nothing refunded. */
function expectPaidWhole(run: Run): void {
  expect(log.argsOf(run.workflowId, 'schedulePayout')).toEqual([
    [
      {
        auctionId: run.input.auctionId,
        paymentId: run.input.paymentId,
        sellerId: run.input.sellerId,
        title: run.input.title,
        share: 'whole',
        payableAt: expect.any(String),
      },
    ],
  ]);
  expect(log.argsOf(run.workflowId, 'payPayout')).toEqual([[`payout-${run.input.auctionId.slice(0, 8)}`]]);
  expect(log.callsTo(run.workflowId, 'refundPayment')).toHaveLength(0);
  expect(log.callsTo(run.workflowId, 'markAuctionRefunded')).toHaveLength(0);
}

describe.concurrent('deliveryFulfilment', () => {
  it('accepted, booked, shipped, delivered, confirmed by the buyer: the whole payout scheduled, then paid after the settlement delay', async () => {
    const run = await start({ timeouts: { settlementDelayMs: 1_000 } });
    const { handle, workflowId, input, deliveryId } = run;
    expect(workflowId).toBe(`delivery-fulfilment-${deliveryId}`);
    await waitForStep(handle, 'awaiting-seller');
    expect(log.callsTo(workflowId, 'bookCarrier')).toHaveLength(0);
    await deliver(run);
    await partyMoves(run, 'confirmed');
    expect(await handle.result()).toEqual({ outcome: 'confirmed' });

    expect(log.names(workflowId)).toEqual([
      ...SETUP,
      'deliveryStatus', // accepted
      'bookCarrier',
      'deliveryStatus', // shipped
      'deliveryStatus', // delivered
      'deliveryStatus', // confirmed
      'schedulePayout',
      'payPayout',
    ]);
    expect(log.argsOf(workflowId, 'createDelivery')).toEqual([[input]]);
    expect(log.argsOf(workflowId, 'attachFulfilmentToAuction')).toEqual([[input.auctionId, 'delivery', deliveryId]]);
    expect(log.argsOf(workflowId, 'bookCarrier')).toEqual([[deliveryId]]);
    expect(log.argsOf(workflowId, 'deliveryStatus')).toEqual(Array(4).fill([deliveryId]));
    expectPaidWhole(run);

    const schedule = call(run, 'schedulePayout');
    const pay = call(run, 'payPayout');
    const { payableAt } = schedule.args[0] as { payableAt: string };
    expect(Math.abs(Date.parse(payableAt) - (schedule.startedAt + 1_000))).toBeLessThan(1_000);
    expect(pay.startedAt - schedule.endedAt!).toBeGreaterThanOrEqual(1_000 - 20);
    expect(pay.startedAt).toBeGreaterThanOrEqual(Date.parse(payableAt) - 20);

    const state = await sagaState(handle);
    expect(stepsOf(state)).toEqual([...DELIVERED_STEPS, ...PAYOUT_STEPS, 'confirmed']);
    expect(state.ids).toEqual({
      auctionId: input.auctionId,
      deliveryId,
      paymentId: input.paymentId,
      trackingNumber: `TRACK-${deliveryId.slice(0, 8)}`,
      payoutId: `payout-${input.auctionId.slice(0, 8)}`,
    });
    expect(state.parties).toEqual([input.buyerId, input.sellerId]);
    expect(log.callsTo(workflowId, 'remindToConfirm')).toHaveLength(0);
    expect(log.callsTo(workflowId, 'confirmUnclaimedDelivery')).toHaveLength(0);
  });

  it('delivered without a shipment report: straight to the buyer, no delivery wait', async () => {
    const run = await start();
    await partyMoves(run, 'accepted');
    await waitForStep(run.handle, 'awaiting-shipment');
    await carrierReports(run, 'package.delivered');
    await waitForStep(run.handle, 'awaiting-confirmation');
    await partyMoves(run, 'confirmed');
    expect(await run.handle.result()).toEqual({ outcome: 'confirmed' });
    expect(stepsOf(await sagaState(run.handle))).not.toContain('awaiting-delivery');
    expectPaidWhole(run);
  });

  it('rejected by the seller: refunded in full, nothing booked, no shipment to cancel', async () => {
    const run = await start();
    await waitForStep(run.handle, 'awaiting-seller');
    await partyMoves(run, 'rejected');
    expect(await run.handle.result()).toEqual({ outcome: 'rejected' });
    expect(log.names(run.workflowId)).toEqual([...SETUP, 'deliveryStatus', 'refundPayment', 'markAuctionRefunded']);
    expectRefunded(run);
    expect(stepsOf(await sagaState(run.handle))).toEqual(['creating-delivery', 'awaiting-seller', 'refunding', 'rejected']);
  });

  it('the seller silent: rejectUnansweredOrder when the response window ends, then refunded', async () => {
    const run = await start({ timeouts: { sellerResponseWindowMs: 800 } });
    expect(await run.handle.result()).toEqual({ outcome: 'rejected' });
    expect(log.names(run.workflowId)).toEqual([...SETUP, 'rejectUnansweredOrder', 'refundPayment', 'markAuctionRefunded']);
    expect(log.argsOf(run.workflowId, 'rejectUnansweredOrder')).toEqual([[run.deliveryId]]);
    const waitedFrom = call(run, 'attachFulfilmentToAuction').endedAt!;
    expect(call(run, 'rejectUnansweredOrder').startedAt - waitedFrom).toBeGreaterThanOrEqual(800 - 20);
    expect(run.d.status).toBe('rejected');
    expectRefunded(run);
    expect(log.callsTo(run.workflowId, 'bookCarrier')).toHaveLength(0);
    expect(log.callsTo(run.workflowId, 'cancelShipment')).toHaveLength(0);
    expect(stepsOf(await sagaState(run.handle))).toEqual(['creating-delivery', 'awaiting-seller', 'refunding', 'rejected']);
  });

  it('the accept racing the window end (its nudge late): rejectUnansweredOrder finds it accepted, so the saga books', async () => {
    const run = await start({ timeouts: { sellerResponseWindowMs: 600 } });
    await waitForStep(run.handle, 'awaiting-seller');
    run.d.status = 'accepted'; // the seller's write won; its nudge has not arrived
    await waitForStep(run.handle, 'awaiting-shipment');
    await run.handle.signal(orderChanged, { status: 'accepted' }); // the late nudge: one more read, nothing else
    await until(() => log.callsTo(run.workflowId, 'deliveryStatus').length === 1, 'the late nudge read');
    expect((await sagaState(run.handle)).step).toBe('awaiting-shipment');
    await carrierReports(run, 'package.delivered');
    await waitForStep(run.handle, 'awaiting-confirmation');
    await partyMoves(run, 'confirmed');
    expect(await run.handle.result()).toEqual({ outcome: 'confirmed' });
    expect(log.names(run.workflowId).slice(0, 5)).toEqual([...SETUP, 'rejectUnansweredOrder', 'bookCarrier']);
    expect(log.callsTo(run.workflowId, 'bookCarrier')).toHaveLength(1);
    expectPaidWhole(run);
    const steps = stepsOf(await sagaState(run.handle));
    expect(steps.slice(0, 4)).toEqual(['creating-delivery', 'awaiting-seller', 'booking-carrier', 'awaiting-shipment']);
    expect(steps).not.toContain('rejected');
  });

  it('cancelled by the buyer before the seller answered: nothing booked, cancelShipment asked (finds no booking), refunded', async () => {
    const run = await start();
    await waitForStep(run.handle, 'awaiting-seller');
    await partyMoves(run, 'cancelled');
    expect(await run.handle.result()).toEqual({ outcome: 'cancelled' });
    expect(log.names(run.workflowId)).toEqual([...SETUP, 'deliveryStatus', 'cancelShipment', 'refundPayment', 'markAuctionRefunded']);
    expect(log.callsTo(run.workflowId, 'bookCarrier')).toHaveLength(0);
    expect(log.argsOf(run.workflowId, 'cancelShipment')).toEqual([[run.deliveryId]]);
    expectRefunded(run);
    expect(stepsOf(await sagaState(run.handle))).toEqual([
      'creating-delivery',
      'awaiting-seller',
      'cancelling-shipment',
      'refunding',
      'cancelled',
    ]);
  });

  it('cancelled by the buyer while the carrier was being booked: bookCarrier finds it cancelled, no tracking number, refunded', async () => {
    const run = await start({ whileBooking: (d) => (d.status = 'cancelled') });
    await partyMoves(run, 'accepted');
    expect(await run.handle.result()).toEqual({ outcome: 'cancelled' });
    expect(log.names(run.workflowId).slice(3)).toEqual([
      'deliveryStatus',
      'bookCarrier',
      'cancelShipment',
      'refundPayment',
      'markAuctionRefunded',
    ]);
    expectRefunded(run);
    const state = await sagaState(run.handle);
    expect(state.ids.trackingNumber).toBeUndefined();
    expect(stepsOf(state).slice(-4)).toEqual(['booking-carrier', 'cancelling-shipment', 'refunding', 'cancelled']);
    expect(stepsOf(state)).not.toContain('awaiting-shipment');
  });

  it('cancelled by the buyer after booking, before shipping: the booking cancelled at the carrier, refunded', async () => {
    const run = await start();
    await partyMoves(run, 'accepted');
    await waitForStep(run.handle, 'awaiting-shipment');
    await partyMoves(run, 'cancelled');
    expect(await run.handle.result()).toEqual({ outcome: 'cancelled' });
    expect(log.argsOf(run.workflowId, 'cancelShipment')).toEqual([[run.deliveryId]]);
    expect(log.callsTo(run.workflowId, 'cancelShipment')[0]!.outcome).toBe('returned');
    expectRefunded(run);
    expect(log.names(run.workflowId).slice(-3)).toEqual(['cancelShipment', 'refundPayment', 'markAuctionRefunded']);
    expect(missed(run)).toEqual([]);
    const state = await sagaState(run.handle);
    expect(state.ids.trackingNumber).toBe(`TRACK-${run.deliveryId.slice(0, 8)}`);
    expect(stepsOf(state).slice(2)).toEqual(['booking-carrier', 'awaiting-shipment', 'cancelling-shipment', 'refunding', 'cancelled']);
  });

  it('cancelled while the booking was being recorded, the carrier refusing (the parcel had left): a return, refunded only once it is back', async () => {
    const run = await start({ parcelLeft: true, whileRecording: (d) => (d.status = 'cancelled') });
    const { handle, workflowId, deliveryId } = run;
    await partyMoves(run, 'accepted');
    await waitForStep(handle, 'awaiting-return');
    expect(run.d.status).toBe('return-requested');
    // The buyer may hold the parcel: nothing is refunded while the return is under way.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await sagaState(handle)).step).toBe('awaiting-return');
    expect(log.callsTo(workflowId, 'refundPayment')).toHaveLength(0);
    expect(log.callsTo(workflowId, 'markAuctionRefunded')).toHaveLength(0);
    const backAt = Date.now();
    await carrierReports(run, 'package.returned');
    expect(await handle.result()).toEqual({ outcome: 'returned' });

    expect(log.names(workflowId).slice(SETUP.length)).toEqual([
      'deliveryStatus', // accepted
      'bookCarrier', // cancelled meanwhile: booked all the same
      'cancelShipment', // refused by the carrier: return-requested
      'bookReturn',
      'deliveryStatus', // returned
      'refundPayment',
      'markAuctionRefunded',
    ]);
    expect(log.argsOf(workflowId, 'cancelShipment')).toEqual([[deliveryId]]);
    expect(log.argsOf(workflowId, 'bookReturn')).toEqual([[deliveryId]]);
    expect(call(run, 'refundPayment').startedAt).toBeGreaterThanOrEqual(backAt);
    expectRefunded(run);
    expect(log.callsTo(workflowId, 'settleOverdueReturn')).toHaveLength(0);
    expect(log.callsTo(workflowId, 'declareLost')).toHaveLength(0);
    expect(missed(run)).toEqual([]);
    const state = await sagaState(handle);
    expect(state.ids).toMatchObject({
      trackingNumber: `TRACK-${deliveryId.slice(0, 8)}`,
      returnTrackingNumber: `RETURN-${deliveryId.slice(0, 8)}`,
    });
    expect(stepsOf(state)).toEqual([
      'creating-delivery',
      'awaiting-seller',
      'booking-carrier',
      'cancelling-shipment',
      'booking-return',
      'awaiting-return',
      'refunding',
      'returned',
    ]);
  });

  it('the carrier refusing a cancellation made after booking: the same return; never handed back, it lapses and the seller is paid', async () => {
    const run = await start({
      parcelLeft: true,
      returnAtCarrier: 'booked',
      timeouts: { shippingDeadlineMs: 1_000, deliveryDeadlineMs: 200 },
    });
    await partyMoves(run, 'accepted');
    await waitForStep(run.handle, 'awaiting-shipment');
    await partyMoves(run, 'cancelled');
    expect(await run.handle.result()).toEqual({ outcome: 'confirmed' });
    expect(log.names(run.workflowId).slice(-5)).toEqual([
      'cancelShipment',
      'bookReturn',
      'settleOverdueReturn',
      'schedulePayout',
      'payPayout',
    ]);
    const waitedFrom = await enteredAt(run, 'awaiting-return');
    expect(call(run, 'settleOverdueReturn').startedAt - waitedFrom).toBeGreaterThanOrEqual(1_000 + 200 - 20);
    expectPaidWhole(run);
    expect(missed(run)).toEqual([]);
    const steps = stepsOf(await sagaState(run.handle));
    expect(steps.slice(steps.indexOf('awaiting-shipment'))).toEqual([
      'awaiting-shipment',
      'cancelling-shipment',
      'booking-return',
      'awaiting-return',
      'checking-overdue-return',
      ...PAYOUT_STEPS,
      'confirmed',
    ]);
  });

  it('delivered, the buyer silent: reminded at window − reminder, confirmed by the window end, then paid', async () => {
    const window = 1_500;
    const reminder = 500;
    const run = await start({ timeouts: { confirmationWindowMs: window, confirmationReminderMs: reminder } });
    await deliver(run);
    expect(await run.handle.result()).toEqual({ outcome: 'confirmed' });
    expect(log.names(run.workflowId).slice(-4)).toEqual(['remindToConfirm', 'confirmUnclaimedDelivery', 'schedulePayout', 'payPayout']);
    expect(log.argsOf(run.workflowId, 'remindToConfirm')).toEqual([[run.deliveryId]]);
    expect(log.argsOf(run.workflowId, 'confirmUnclaimedDelivery')).toEqual([[run.deliveryId]]);
    expect(run.d.reminderSent).toBe(true);
    const from = await enteredAt(run, 'awaiting-confirmation');
    const remindedAfter = call(run, 'remindToConfirm').startedAt - from;
    const confirmedAfter = call(run, 'confirmUnclaimedDelivery').startedAt - from;
    expect(remindedAfter).toBeGreaterThanOrEqual(window - reminder - 20);
    expect(remindedAfter).toBeLessThan(window - 20);
    expect(confirmedAfter).toBeGreaterThanOrEqual(window - 20);
    expectPaidWhole(run);
    expect(stepsOf(await sagaState(run.handle))).toEqual([...DELIVERED_STEPS, 'buyer-reminded', ...PAYOUT_STEPS, 'confirmed']);
  });

  it('delivered, the buyer confirms after the reminder: no confirmation by timer', async () => {
    const run = await start({ timeouts: { confirmationWindowMs: 2_000, confirmationReminderMs: 1_700 } });
    await deliver(run);
    await waitForStep(run.handle, 'buyer-reminded');
    await partyMoves(run, 'confirmed');
    expect(await run.handle.result()).toEqual({ outcome: 'confirmed' });
    expect(log.callsTo(run.workflowId, 'remindToConfirm')).toHaveLength(1);
    expect(log.callsTo(run.workflowId, 'confirmUnclaimedDelivery')).toHaveLength(0);
    expectPaidWhole(run);
  });

  it('a return claimed just before the confirmation window ends (nudge late): confirmUnclaimedDelivery finds it, the return goes ahead', async () => {
    const run = await start({ timeouts: { confirmationWindowMs: 1_200, confirmationReminderMs: 600 } });
    await deliver(run);
    await waitForStep(run.handle, 'buyer-reminded');
    run.d.status = 'return-requested'; // the buyer's claim won the row; its nudge is not in yet
    await waitForStep(run.handle, 'awaiting-return');
    await carrierReports(run, 'package.returned');
    expect(await run.handle.result()).toEqual({ outcome: 'returned' });
    expect(log.callsTo(run.workflowId, 'confirmUnclaimedDelivery')).toHaveLength(1);
    expect(log.argsOf(run.workflowId, 'bookReturn')).toEqual([[run.deliveryId]]);
    expectRefunded(run);
    const steps = stepsOf(await sagaState(run.handle));
    expect(steps.slice(steps.indexOf('awaiting-confirmation'))).toEqual([
      'awaiting-confirmation',
      'buyer-reminded',
      'booking-return',
      'awaiting-return',
      'refunding',
      'returned',
    ]);
  });

  it('confirmed just before the reminder (nudge late): remindToConfirm finds it confirmed, no reminder, no timer confirmation', async () => {
    const run = await start({ timeouts: { confirmationWindowMs: 60_000, confirmationReminderMs: 59_400 } });
    await deliver(run);
    run.d.status = 'confirmed';
    expect(await run.handle.result()).toEqual({ outcome: 'confirmed' });
    expect(log.callsTo(run.workflowId, 'remindToConfirm')).toHaveLength(1);
    expect(run.d.reminderSent).toBe(false);
    expect(log.callsTo(run.workflowId, 'confirmUnclaimedDelivery')).toHaveLength(0);
    expectPaidWhole(run);
    // Nobody was reminded, so the journal says none.
    expect(stepsOf(await sagaState(run.handle))).toEqual([...DELIVERED_STEPS, ...PAYOUT_STEPS, 'confirmed']);
  });

  it('a return claimed just before the reminder (nudge late): remindToConfirm finds it, no reminder journaled, the return goes ahead', async () => {
    const run = await start({ timeouts: { confirmationWindowMs: 60_000, confirmationReminderMs: 59_400 } });
    await deliver(run);
    run.d.status = 'return-requested';
    await waitForStep(run.handle, 'awaiting-return');
    await carrierReports(run, 'package.returned');
    expect(await run.handle.result()).toEqual({ outcome: 'returned' });
    expect(log.callsTo(run.workflowId, 'remindToConfirm')).toHaveLength(1);
    expect(run.d.reminderSent).toBe(false);
    expect(log.callsTo(run.workflowId, 'confirmUnclaimedDelivery')).toHaveLength(0);
    expectRefunded(run);
    expect(stepsOf(await sagaState(run.handle))).toEqual([
      ...DELIVERED_STEPS,
      'booking-return',
      'awaiting-return',
      'refunding',
      'returned',
    ]);
  });

  it('a return claimed: booked with the carrier, the parcel comes back, refunded', async () => {
    const run = await start();
    await deliver(run);
    await partyMoves(run, 'return-requested');
    await waitForStep(run.handle, 'awaiting-return');
    expect(log.argsOf(run.workflowId, 'bookReturn')).toEqual([[run.deliveryId]]);
    await carrierReports(run, 'package.returned');
    expect(await run.handle.result()).toEqual({ outcome: 'returned' });
    expect(log.names(run.workflowId).slice(-5)).toEqual([
      'deliveryStatus', // return-requested
      'bookReturn',
      'deliveryStatus', // returned
      'refundPayment',
      'markAuctionRefunded',
    ]);
    expectRefunded(run);
    expect(log.callsTo(run.workflowId, 'settleOverdueReturn')).toHaveLength(0);
    expect(log.callsTo(run.workflowId, 'cancelShipment')).toHaveLength(0);
    const state = await sagaState(run.handle);
    expect(state.ids.returnTrackingNumber).toBe(`RETURN-${run.deliveryId.slice(0, 8)}`);
    expect(stepsOf(state)).toEqual([...DELIVERED_STEPS, 'booking-return', 'awaiting-return', 'refunding', 'returned']);
  });

  it.each([
    ['returned', 'returned'],
    ['lost', 'lost'],
    ['booked', 'confirmed'], // never handed over: the return lapsed, the seller is paid
  ] as const)('a return overdue: settleOverdueReturn decides; the carrier says %s → %s', async (atCarrier, outcome) => {
    const run = await start({ returnAtCarrier: atCarrier, timeouts: { shippingDeadlineMs: 1_000, deliveryDeadlineMs: 200 } });
    await partyMoves(run, 'accepted');
    await waitForStep(run.handle, 'awaiting-shipment');
    await carrierReports(run, 'package.delivered');
    await waitForStep(run.handle, 'awaiting-confirmation');
    await partyMoves(run, 'return-requested');
    expect(await run.handle.result()).toEqual({ outcome });
    expect(log.argsOf(run.workflowId, 'settleOverdueReturn')).toEqual([[run.deliveryId]]);
    const waitedFrom = await enteredAt(run, 'awaiting-return');
    expect(call(run, 'settleOverdueReturn').startedAt - waitedFrom).toBeGreaterThanOrEqual(1_000 + 200 - 20);
    if (outcome === 'confirmed') expectPaidWhole(run);
    else expectRefunded(run);
    expect(log.callsTo(run.workflowId, 'declareLost')).toHaveLength(0);
    expect(missed(run)).toEqual([]);
    const steps = stepsOf(await sagaState(run.handle));
    expect(steps.slice(steps.indexOf('booking-return'))).toEqual([
      'booking-return',
      'awaiting-return',
      'checking-overdue-return',
      ...(outcome === 'confirmed' ? PAYOUT_STEPS : ['refunding']),
      outcome,
    ]);
  });

  it('lost, reported by the carrier on the way: refunded, the carrier not asked again', async () => {
    const run = await start();
    await partyMoves(run, 'accepted');
    await waitForStep(run.handle, 'awaiting-shipment');
    await carrierReports(run, 'package.shipped');
    await waitForStep(run.handle, 'awaiting-delivery');
    await carrierReports(run, 'package.lost');
    expect(await run.handle.result()).toEqual({ outcome: 'lost' });
    expectRefunded(run);
    expect(log.callsTo(run.workflowId, 'declareLost')).toHaveLength(0);
    expect(log.callsTo(run.workflowId, 'cancelShipment')).toHaveLength(0);
    expect(stepsOf(await sagaState(run.handle)).slice(-2)).toEqual(['refunding', 'lost']);
  });

  it('the shipping deadline missed twice, the carrier has nothing: declareLost finds it lost, refunded', async () => {
    const run = await start({ carrierSays: 'booked', timeouts: { shippingDeadlineMs: 300 } });
    await partyMoves(run, 'accepted');
    expect(await run.handle.result()).toEqual({ outcome: 'lost' });
    expect(missed(run)).toEqual([
      [run.deliveryId, 'shipping', 1],
      [run.deliveryId, 'shipping', 2],
    ]);
    expect(log.argsOf(run.workflowId, 'declareLost')).toEqual([[run.deliveryId]]);
    expectRefunded(run);
    expect(stepsOf(await sagaState(run.handle)).slice(3)).toEqual([
      'awaiting-shipment',
      'shipping-deadline-missed-1',
      'shipping-deadline-missed-2',
      'checking-before-loss',
      'refunding',
      'lost',
    ]);
  });

  it('the shipping deadline missed twice, the carrier delivered it: declareLost says delivered, the buyer is asked, then paid', async () => {
    const run = await start({
      carrierSays: 'delivered',
      timeouts: { shippingDeadlineMs: 300, confirmationWindowMs: 600, confirmationReminderMs: 200 },
    });
    await partyMoves(run, 'accepted');
    expect(await run.handle.result()).toEqual({ outcome: 'confirmed' });
    expect(missed(run)).toHaveLength(2);
    expect(log.callsTo(run.workflowId, 'declareLost')).toHaveLength(1);
    expect(log.names(run.workflowId).slice(-5)).toEqual([
      'declareLost',
      'remindToConfirm',
      'confirmUnclaimedDelivery',
      'schedulePayout',
      'payPayout',
    ]);
    expectPaidWhole(run);
    const steps = stepsOf(await sagaState(run.handle));
    expect(steps.slice(steps.indexOf('checking-before-loss'))).toEqual([
      'checking-before-loss',
      'awaiting-confirmation',
      'buyer-reminded',
      ...PAYOUT_STEPS,
      'confirmed',
    ]);
    expect(steps).not.toContain('awaiting-delivery');
  });

  it('shipped, the delivery deadline missed twice, the carrier says returned: refunded', async () => {
    const run = await start({ carrierSays: 'returned', timeouts: { deliveryDeadlineMs: 300 } });
    await partyMoves(run, 'accepted');
    await waitForStep(run.handle, 'awaiting-shipment');
    await carrierReports(run, 'package.shipped');
    expect(await run.handle.result()).toEqual({ outcome: 'returned' });
    expect(missed(run)).toEqual([
      [run.deliveryId, 'delivery', 1],
      [run.deliveryId, 'delivery', 2],
    ]);
    expect(log.callsTo(run.workflowId, 'declareLost')).toHaveLength(1);
    expectRefunded(run);
    expect(stepsOf(await sagaState(run.handle)).slice(-5)).toEqual([
      'delivery-deadline-missed-1',
      'delivery-deadline-missed-2',
      'checking-before-loss',
      'refunding',
      'returned',
    ]);
  });

  it('the missed-deadline count runs on across stages: one shipping miss, two delivery misses, then lost', async () => {
    const run = await start({ carrierSays: 'shipped', timeouts: { shippingDeadlineMs: 1_000, deliveryDeadlineMs: 300 } });
    await partyMoves(run, 'accepted');
    await waitForStep(run.handle, 'shipping-deadline-missed-1');
    await carrierReports(run, 'package.shipped');
    expect(await run.handle.result()).toEqual({ outcome: 'lost' });
    expect(missed(run)).toEqual([
      [run.deliveryId, 'shipping', 1],
      [run.deliveryId, 'delivery', 2],
      [run.deliveryId, 'delivery', 3],
    ]);
    expectRefunded(run);
    expect(stepsOf(await sagaState(run.handle)).slice(3)).toEqual([
      'awaiting-shipment',
      'shipping-deadline-missed-1',
      'awaiting-delivery',
      'delivery-deadline-missed-1',
      'delivery-deadline-missed-2',
      'checking-before-loss',
      'refunding',
      'lost',
    ]);
  });

  it('a deadline passing after the record moved on without a nudge: the re-read finds it, no missed deadline recorded', async () => {
    const deadline = 800;
    const run = await start({ timeouts: { shippingDeadlineMs: deadline, deliveryDeadlineMs: deadline } });
    const { handle, workflowId, deliveryId } = run;
    await partyMoves(run, 'accepted');
    await waitForStep(handle, 'awaiting-shipment');
    run.d.status = 'shipped'; // the webhook's write landed; its nudge was lost
    await waitForStep(handle, 'awaiting-delivery');
    // One delivery deadline really missed, then the delivery lands silently before the second.
    await waitForStep(handle, 'delivery-deadline-missed-1');
    run.d.status = 'delivered';
    await waitForStep(handle, 'awaiting-confirmation');
    await partyMoves(run, 'confirmed');
    expect(await handle.result()).toEqual({ outcome: 'confirmed' });

    expect(missed(run)).toEqual([[deliveryId, 'delivery', 1]]);
    expect(log.callsTo(workflowId, 'declareLost')).toHaveLength(0);
    expect(log.names(workflowId).slice(SETUP.length)).toEqual([
      'deliveryStatus', // accepted
      'bookCarrier',
      'deliveryStatus', // the shipping deadline: shipped
      'deliveryStatus', // the first delivery deadline: still shipped
      'recordMissedDeadline',
      'deliveryStatus', // the second delivery deadline: delivered
      'deliveryStatus', // confirmed
      'schedulePayout',
      'payPayout',
    ]);
    const reads = log.callsTo(workflowId, 'deliveryStatus');
    expect(reads[1]!.startedAt - (await enteredAt(run, 'awaiting-shipment'))).toBeGreaterThanOrEqual(deadline - 20);
    expect(reads[2]!.startedAt - (await enteredAt(run, 'awaiting-delivery'))).toBeGreaterThanOrEqual(deadline - 20);
    expect(reads[3]!.startedAt - reads[2]!.startedAt).toBeGreaterThanOrEqual(deadline - 20);
    expectPaidWhole(run);
    expect(stepsOf(await sagaState(handle))).toEqual([
      ...DELIVERED_STEPS.slice(0, -1),
      'delivery-deadline-missed-1',
      'awaiting-confirmation',
      ...PAYOUT_STEPS,
      'confirmed',
    ]);
  });

  it('extra, duplicate and wrong nudges change nothing: the record decides, each step runs once', async () => {
    const run = await start();
    const { handle, workflowId } = run;
    await waitForStep(handle, 'awaiting-seller');
    // A nudge whose word the record does not bear out: read, and waited on.
    await handle.signal(orderChanged, { status: 'accepted' });
    await handle.signal(orderChanged, { status: 'confirmed' });
    await until(() => log.callsTo(workflowId, 'deliveryStatus').length >= 1, 'the nudges read');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await sagaState(handle)).step).toBe('awaiting-seller');
    expect(log.callsTo(workflowId, 'bookCarrier')).toHaveLength(0);
    // The accept, nudged twice.
    await partyMoves(run, 'accepted');
    await handle.signal(orderChanged, { status: 'accepted' });
    await waitForStep(handle, 'awaiting-shipment');
    // One webhook delivered twice, and a package event the record does not show.
    await carrierReports(run, 'package.shipped', 'evt-1');
    await handle.signal(packageEvent, { eventId: 'evt-1', type: 'package.shipped' });
    await waitForStep(handle, 'awaiting-delivery');
    await handle.signal(packageEvent, { eventId: 'evt-2', type: 'package.lost' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await sagaState(handle)).step).toBe('awaiting-delivery');
    await carrierReports(run, 'package.delivered', 'evt-3');
    await waitForStep(handle, 'awaiting-confirmation');
    await partyMoves(run, 'confirmed');
    await handle.signal(orderChanged, { status: 'confirmed' });
    await waitForStep(handle, 'awaiting-settlement');
    await handle.signal(orderChanged, { status: 'confirmed' }); // while the payout waits: nothing reads it
    expect(await handle.result()).toEqual({ outcome: 'confirmed' });

    expect(log.callsTo(workflowId, 'bookCarrier')).toHaveLength(1);
    expectPaidWhole(run);
    expect(log.names(workflowId).filter((name) => name !== 'deliveryStatus')).toEqual([
      ...SETUP,
      'bookCarrier',
      'schedulePayout',
      'payPayout',
    ]);
    expect(missed(run)).toEqual([]);
    expect(log.callsTo(workflowId, 'declareLost')).toHaveLength(0);
    expect(stepsOf(await sagaState(handle))).toEqual([...DELIVERED_STEPS, ...PAYOUT_STEPS, 'confirmed']);
  });

  it('extra nudges do not stretch the seller’s window: it ends when it began plus its length', async () => {
    const window = 2_000;
    const run = await start({ timeouts: { sellerResponseWindowMs: window } });
    await waitForStep(run.handle, 'awaiting-seller');
    for (let i = 0; i < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      await run.handle.signal(orderChanged, { status: 'pending' });
    }
    expect(await run.handle.result()).toEqual({ outcome: 'rejected' });
    const reads = log.callsTo(run.workflowId, 'deliveryStatus').length;
    expect(reads).toBeGreaterThanOrEqual(1);
    expect(reads).toBeLessThanOrEqual(4);
    const waited = call(run, 'rejectUnansweredOrder').startedAt - call(run, 'attachFulfilmentToAuction').endedAt!;
    expect(waited).toBeGreaterThanOrEqual(window - 20);
    expect(waited).toBeLessThan(window + 900); // stretched by the last nudge it would be ≥ window + 1000
    expectRefunded(run);
  });

  it('a transient carrier error while booking is retried by Temporal', async () => {
    const run = await start({ bookCarrierFailures: 1 });
    await partyMoves(run, 'accepted');
    await waitForStep(run.handle, 'awaiting-shipment');
    await carrierReports(run, 'package.delivered');
    await waitForStep(run.handle, 'awaiting-confirmation');
    await partyMoves(run, 'confirmed');
    expect(await run.handle.result()).toEqual({ outcome: 'confirmed' });
    expect(log.callsTo(run.workflowId, 'bookCarrier').map((c) => [c.attempt, c.outcome, c.args])).toEqual([
      [1, 'threw', [run.deliveryId]],
      [2, 'returned', [run.deliveryId]],
    ]);
    expect((await sagaState(run.handle)).ids.trackingNumber).toBe(`TRACK-${run.deliveryId.slice(0, 8)}`);
    expectPaidWhole(run);
  });
});
