import type pg from 'pg';
import type { Clock } from '../kernel/clock.ts';
import { Conflict, NotFound } from '../kernel/errors.ts';
import { retryOnConflict } from '../platform/db/retry-on-conflict.ts';
import { runInUnitOfWork, type UnitOfWork } from '../platform/db/unit-of-work.ts';
import { WorkflowNotFound, type WorkflowGateway } from '../platform/temporal/workflow-gateway.ts';
import { deliveryFulfilmentSaga } from '../../workflows/delivery-fulfilment.contract.ts';
import { serviceFulfilmentSaga } from '../../workflows/service-fulfilment.contract.ts';
import type { Carrier } from './carrier.ts';
import type { DeliveryTransaction } from './delivery.ts';
import type { ServiceTransaction, VoucherTerms } from './service.ts';
import { findDelivery, findService } from './repository.ts';

/** A party's move on a paid order, as the routes name them. */
export type OrderAction =
  | { action: 'accept' }
  | { action: 'reject'; reason: string }
  | { action: 'cancel' }
  | { action: 'confirm' }
  | { action: 'return'; reason: string };

/**
 * A buyer or seller moves their order. The delivery's versioned write decides every race
 * (the loser re-reads and is refused, 409); the saga is then told, once the row is
 * written and before COMMIT, so its locked read of the status waits for this write
 * (deliveryStatus). The signal is only a wake-up: a repeat or a lost one changes nothing
 * the saga's own timers do not also check.
 */
export async function moveOrder(
  deps: { pool: pg.Pool; workflows: WorkflowGateway; carrier: Carrier },
  input: { deliveryId: string; customerId: string } & OrderAction,
): Promise<void> {
  if (input.action === 'cancel') await cancelBookingFirst(deps, input);
  await retryOnConflict(() =>
    runInUnitOfWork(deps.pool, async (uow) => {
      const delivery = await findDelivery(uow, input.deliveryId);
      if (!delivery) throw new NotFound(`no delivery ${input.deliveryId}`);
      const before = delivery.version;
      perform(delivery, input);
      if (delivery.version === before) return; // a repeat: nothing new to tell
      tellSaga(uow, deliveryFulfilmentSaga.workflowId(input.deliveryId), (id) =>
        deps.workflows.signal(id, deliveryFulfilmentSaga.signals.orderChanged, { status: delivery.state.status }),
      );
    }),
  );
}

/**
 * A booked order is cancelled at the carrier before it is cancelled here: the carrier
 * knows whether the parcel has left, and refuses (409) once it has. Had our write come
 * first, a parcel already on its way would have been refunded as well.
 */
async function cancelBookingFirst(deps: { pool: pg.Pool; carrier: Carrier }, input: { deliveryId: string; customerId: string }) {
  const { bookedAs } = await runInUnitOfWork(deps.pool, async (uow) => {
    const delivery = await findDelivery(uow, input.deliveryId);
    if (!delivery) throw new NotFound(`no delivery ${input.deliveryId}`);
    return delivery.assertCancellable(input.customerId);
  });
  if (bookedAs && !(await deps.carrier.cancelShipment(bookedAs))) {
    throw new Conflict(`delivery ${input.deliveryId} has shipped: the carrier could no longer cancel it`);
  }
}

function perform(delivery: DeliveryTransaction, input: { customerId: string } & OrderAction): void {
  switch (input.action) {
    case 'accept':
      return delivery.accept(input.customerId);
    case 'reject':
      return delivery.reject(input.customerId, input.reason);
    case 'cancel':
      return delivery.cancel(input.customerId);
    case 'confirm':
      return delivery.confirm(input.customerId);
    case 'return':
      return delivery.requestReturn(input.customerId, input.reason);
  }
}

/** The buyer redeems or cancels a voucher; decided and told as `moveOrder` does for deliveries. */
export async function moveVoucher(
  deps: { pool: pg.Pool; workflows: WorkflowGateway; clock: Clock; terms: VoucherTerms },
  input: { serviceId: string; customerId: string; action: 'redeem' | 'cancel' },
): Promise<void> {
  await retryOnConflict(() =>
    runInUnitOfWork(deps.pool, async (uow) => {
      const service: ServiceTransaction | undefined = await findService(uow, input.serviceId);
      if (!service) throw new NotFound(`no service ${input.serviceId}`);
      const before = service.version;
      if (input.action === 'redeem') service.redeem(input.customerId, deps.clock.now(), deps.terms);
      else service.cancel(input.customerId, deps.clock.now(), deps.terms);
      if (service.version === before) return;
      tellSaga(uow, serviceFulfilmentSaga.workflowId(input.serviceId), (id) =>
        deps.workflows.signal(id, serviceFulfilmentSaga.signals.voucherChanged, { status: service.state.status }),
      );
    }),
  );
}

/** Signals a saga once this unit of work's writes are made; a saga that has ended (or never ran) is not told. */
function tellSaga(uow: UnitOfWork, workflowId: string, signal: (workflowId: string) => Promise<void>): void {
  uow.whenWritten(async () => {
    try {
      await signal(workflowId);
    } catch (error) {
      if (!(error instanceof WorkflowNotFound)) throw error;
    }
  });
}
