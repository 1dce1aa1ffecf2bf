import { describe, expect, it } from 'vitest';
import type { AuctionActivities } from '../../activities/auctions.ts';
import type { FulfilmentActivities } from '../../activities/fulfilment.ts';
import type { PaymentActivities } from '../../activities/payments.ts';
import type { SettingsActivities } from '../../activities/settings.ts';
import { deliveryFulfilmentSaga, type DeliveryFulfilmentInput, type PackageEvent } from '../../workflows/delivery-fulfilment.contract.ts';
import { deliveryFulfilment } from '../../workflows/delivery-fulfilment.ts';
import {
  CallLog,
  currentWorkflowId,
  recorded,
  sagaState,
  sagaTestWorkerForThisFile,
  unusedActivities,
  stepsOf,
  waitForStep,
} from '../support/saga-test-worker.ts';

/**
 * deliveryFulfilment against the real dev server with stub activities. Branches:
 * - shipped then delivered → delivered, nothing refunded;
 * - delivered reported without a shipment report → delivered at once;
 * - returned / lost → the payment refunded, the auction marked refunded;
 * - a deadline missed once, then the news comes → on as usual (the miss recorded once);
 * - deadlines missed twice (shipping or delivery stage) → declareLost asked, and its answer
 *   decides: delivered (no refund), returned or lost (refund), still pending → lost;
 * - the missed-deadline count runs on across the stages;
 * - duplicate carrier events (by event id) are ignored;
 * - a transient carrier error is retried by Temporal.
 */

type Activities = AuctionActivities & FulfilmentActivities & PaymentActivities & SettingsActivities;
type DeliveryStatus = Awaited<ReturnType<FulfilmentActivities['declareLost']>>['status'];

interface Scenario {
  shippingDeadlineMs: number;
  deliveryDeadlineMs: number;
  declareLost: DeliveryStatus;
  bookCarrierFailures: number;
}

const log = new CallLog();
const scenarios = new Map<string, Scenario>();
const scenario = () => scenarios.get(currentWorkflowId())!;

const stubs: Activities = {
  ...unusedActivities,
  async sagaTimeouts() {
    const s = scenario();
    return {
      paymentWindowMs: 60_000,
      shippingDeadlineMs: s.shippingDeadlineMs,
      deliveryDeadlineMs: s.deliveryDeadlineMs,
      withdrawalTimeoutMs: 60_000,
      withdrawalAsksPerRun: 10,
    };
  },
  async createDelivery() {},
  async bookCarrier(deliveryId) {
    const s = scenario();
    if (s.bookCarrierFailures > 0) {
      s.bookCarrierFailures--;
      throw new Error('carrier 503');
    }
    return { trackingNumber: `TRACK-${deliveryId.slice(0, 8)}` };
  },
  async recordMissedDeadline() {},
  declareLost: async () => ({ status: scenario().declareLost }),
  async issueVoucher() {},
  async requestFulfilment() {},
  refundPayment: async () => ({ refundId: 'refund-1' }),
  async markAuctionRefunded() {},
  async attachFulfilmentToAuction() {},
};

const env = sagaTestWorkerForThisFile('delivery', recorded(log, stubs));

const packageEvent = deliveryFulfilmentSaga.signals.packageEvent;
const event = (type: PackageEvent['type'], eventId: string = crypto.randomUUID()): PackageEvent => ({ eventId, type });

async function start(options: Partial<Scenario> = {}) {
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
  scenarios.set(workflowId, {
    shippingDeadlineMs: 10_000,
    deliveryDeadlineMs: 10_000,
    declareLost: 'lost',
    bookCarrierFailures: 0,
    ...options,
  });
  const handle = await env.startSaga(deliveryFulfilment, deliveryFulfilmentSaga, input);
  return { handle, workflowId, input, deliveryId };
}

const missed = (workflowId: string) => log.argsOf(workflowId, 'recordMissedDeadline');

describe.concurrent('deliveryFulfilment', () => {
  it('shipped, then delivered: delivered, nothing refunded', async () => {
    const { handle, workflowId, input, deliveryId } = await start();
    await waitForStep(handle, 'awaiting-shipment');
    await handle.signal(packageEvent, event('package.shipped'));
    await waitForStep(handle, 'awaiting-delivery');
    await handle.signal(packageEvent, event('package.delivered'));
    expect(await handle.result()).toEqual({ outcome: 'delivered' });
    expect(log.names(workflowId)).toEqual(['sagaTimeouts', 'createDelivery', 'attachFulfilmentToAuction', 'bookCarrier']);
    expect(log.argsOf(workflowId, 'createDelivery')).toEqual([[input]]);
    expect(log.argsOf(workflowId, 'attachFulfilmentToAuction')).toEqual([[input.auctionId, 'delivery', deliveryId]]);
    expect(log.argsOf(workflowId, 'bookCarrier')).toEqual([[deliveryId]]);
    const state = await sagaState(handle);
    expect(stepsOf(state)).toEqual(['creating-delivery', 'booking-carrier', 'awaiting-shipment', 'awaiting-delivery', 'delivered']);
    expect(state.ids).toEqual({
      auctionId: input.auctionId,
      deliveryId,
      paymentId: input.paymentId,
      trackingNumber: `TRACK-${deliveryId.slice(0, 8)}`,
    });
    expect(state.parties).toEqual([input.buyerId, input.sellerId]);
  });

  it('delivered reported without a shipment report: delivered at once, no delivery wait', async () => {
    const { handle, workflowId } = await start();
    await handle.signal(packageEvent, event('package.delivered'));
    expect(await handle.result()).toEqual({ outcome: 'delivered' });
    expect(stepsOf(await sagaState(handle))).not.toContain('awaiting-delivery');
    expect(log.callsTo(workflowId, 'refundPayment')).toHaveLength(0);
  });

  it('returned: the payment is refunded and the auction marked refunded', async () => {
    const { handle, workflowId, input } = await start();
    await handle.signal(packageEvent, event('package.shipped'));
    await waitForStep(handle, 'awaiting-delivery');
    await handle.signal(packageEvent, event('package.returned'));
    expect(await handle.result()).toEqual({ outcome: 'returned' });
    expect(log.names(workflowId).slice(4)).toEqual(['refundPayment', 'markAuctionRefunded']);
    expect(log.argsOf(workflowId, 'refundPayment')).toEqual([[input.paymentId]]);
    expect(log.argsOf(workflowId, 'markAuctionRefunded')).toEqual([[input.auctionId]]);
    expect(stepsOf(await sagaState(handle)).slice(-2)).toEqual(['refunding', 'returned']);
    expect(log.callsTo(workflowId, 'declareLost')).toHaveLength(0);
  });

  it('lost (reported by the carrier): refunded, the carrier not asked again', async () => {
    const { handle, workflowId, input } = await start();
    await handle.signal(packageEvent, event('package.shipped'));
    await waitForStep(handle, 'awaiting-delivery');
    await handle.signal(packageEvent, event('package.lost'));
    expect(await handle.result()).toEqual({ outcome: 'lost' });
    expect(log.argsOf(workflowId, 'refundPayment')).toEqual([[input.paymentId]]);
    expect(log.argsOf(workflowId, 'markAuctionRefunded')).toEqual([[input.auctionId]]);
    expect(log.callsTo(workflowId, 'declareLost')).toHaveLength(0);
    expect(stepsOf(await sagaState(handle)).slice(-2)).toEqual(['refunding', 'lost']);
  });

  it('the shipping deadline missed once, then shipped and delivered: the miss recorded once, no loss check', async () => {
    const { handle, workflowId, deliveryId } = await start({ shippingDeadlineMs: 3_000 });
    await waitForStep(handle, 'shipping-deadline-missed-1');
    await handle.signal(packageEvent, event('package.shipped'));
    await waitForStep(handle, 'awaiting-delivery');
    await handle.signal(packageEvent, event('package.delivered'));
    expect(await handle.result()).toEqual({ outcome: 'delivered' });
    expect(missed(workflowId)).toEqual([[deliveryId, 'shipping', 1]]);
    expect(log.callsTo(workflowId, 'declareLost')).toHaveLength(0);
    expect(log.callsTo(workflowId, 'refundPayment')).toHaveLength(0);
    expect(stepsOf(await sagaState(handle))).toEqual([
      'creating-delivery',
      'booking-carrier',
      'awaiting-shipment',
      'shipping-deadline-missed-1',
      'awaiting-delivery',
      'delivered',
    ]);
  });

  it.each([
    ['lost', 'lost', true],
    ['pending', 'lost', true],
    ['returned', 'returned', true],
    ['delivered', 'delivered', false],
  ] as const)('the shipping deadline missed twice: declareLost is asked; it says %s → %s', async (declared, outcome, refunded) => {
    const { handle, workflowId, input, deliveryId } = await start({ shippingDeadlineMs: 300, declareLost: declared });
    expect(await handle.result()).toEqual({ outcome });
    expect(missed(workflowId)).toEqual([
      [deliveryId, 'shipping', 1],
      [deliveryId, 'shipping', 2],
    ]);
    expect(log.argsOf(workflowId, 'declareLost')).toEqual([[deliveryId]]);
    expect(log.argsOf(workflowId, 'refundPayment')).toEqual(refunded ? [[input.paymentId]] : []);
    expect(log.argsOf(workflowId, 'markAuctionRefunded')).toEqual(refunded ? [[input.auctionId]] : []);
    const steps = stepsOf(await sagaState(handle));
    expect(steps).not.toContain('awaiting-delivery');
    expect(steps.slice(3)).toEqual([
      'shipping-deadline-missed-1',
      'shipping-deadline-missed-2',
      'checking-before-loss',
      ...(refunded ? ['refunding'] : []),
      outcome,
    ]);
  });

  it('shipped, then the delivery deadline missed twice: declareLost decides (delivered: no refund)', async () => {
    const { handle, workflowId, deliveryId } = await start({ deliveryDeadlineMs: 300, declareLost: 'delivered' });
    await handle.signal(packageEvent, event('package.shipped')); // buffered until the saga waits
    expect(await handle.result()).toEqual({ outcome: 'delivered' });
    expect(missed(workflowId)).toEqual([
      [deliveryId, 'delivery', 1],
      [deliveryId, 'delivery', 2],
    ]);
    expect(log.callsTo(workflowId, 'declareLost')).toHaveLength(1);
    expect(log.callsTo(workflowId, 'refundPayment')).toHaveLength(0);
    expect(stepsOf(await sagaState(handle)).slice(-4)).toEqual([
      'delivery-deadline-missed-1',
      'delivery-deadline-missed-2',
      'checking-before-loss',
      'delivered',
    ]);
  });

  it('the missed-deadline count runs on across stages: one shipping miss, two delivery misses, then lost and refunded', async () => {
    const { handle, workflowId, input, deliveryId } = await start({
      shippingDeadlineMs: 3_000,
      deliveryDeadlineMs: 300,
      declareLost: 'lost',
    });
    await waitForStep(handle, 'shipping-deadline-missed-1');
    await handle.signal(packageEvent, event('package.shipped'));
    expect(await handle.result()).toEqual({ outcome: 'lost' });
    expect(missed(workflowId)).toEqual([
      [deliveryId, 'shipping', 1],
      [deliveryId, 'delivery', 2],
      [deliveryId, 'delivery', 3],
    ]);
    expect(log.argsOf(workflowId, 'refundPayment')).toEqual([[input.paymentId]]);
  });

  it('duplicate carrier events (same event id) are ignored', async () => {
    const { handle, workflowId } = await start();
    await handle.signal(packageEvent, event('package.shipped', 'evt-1'));
    await waitForStep(handle, 'awaiting-delivery');
    // A redelivered id, whatever it now claims, is not news.
    await handle.signal(packageEvent, event('package.returned', 'evt-1'));
    await handle.signal(packageEvent, event('package.shipped', 'evt-1'));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await sagaState(handle)).step).toBe('awaiting-delivery');
    await handle.signal(packageEvent, event('package.delivered', 'evt-2'));
    await handle.signal(packageEvent, event('package.delivered', 'evt-2')).catch(() => undefined);
    expect(await handle.result()).toEqual({ outcome: 'delivered' });
    expect(log.callsTo(workflowId, 'refundPayment')).toHaveLength(0);
    expect(log.callsTo(workflowId, 'markAuctionRefunded')).toHaveLength(0);
  });

  it('a transient carrier error while booking is retried by Temporal', async () => {
    const { handle, workflowId, deliveryId } = await start({ bookCarrierFailures: 1 });
    await handle.signal(packageEvent, event('package.delivered'));
    expect(await handle.result()).toEqual({ outcome: 'delivered' });
    expect(log.callsTo(workflowId, 'bookCarrier').map((c) => [c.attempt, c.outcome, c.args])).toEqual([
      [1, 'threw', [deliveryId]],
      [2, 'returned', [deliveryId]],
    ]);
    expect((await sagaState(handle)).ids.trackingNumber).toBe(`TRACK-${deliveryId.slice(0, 8)}`);
  });
});
