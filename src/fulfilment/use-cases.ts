import type pg from 'pg';
import { NotFound } from '../kernel/errors.ts';
import { retryOnConflict } from '../platform/db/retry-on-conflict.ts';
import { runInUnitOfWork, type UnitOfWork } from '../platform/db/unit-of-work.ts';
import type { Carrier } from './carrier.ts';
import {
  DeliveryTransaction,
  ServiceTransaction,
  type CarrierEventType,
  type DeliveryStatus,
  type Parties,
  type ServiceStatus,
} from './domain.ts';
import { addDelivery, addService, findDelivery, findService } from './repository.ts';

/**
 * The platform keeps no address book yet, so a delivery is booked to the buyer's address
 * "on file" at the carrier. Recorded as such, so the day addresses arrive, the field is there.
 */
export const addressOnFile = (buyerId: string) => `on file for customer ${buyerId}`;

/** Creates the delivery transaction once; a retried activity finds it. */
export async function createDelivery(pool: pg.Pool, input: Parties & { deliveryId: string }): Promise<void> {
  await retryOnConflict(() =>
    runInUnitOfWork(pool, async (uow) => {
      if (await findDelivery(uow, input.deliveryId)) return;
      const { deliveryId, ...parties } = input;
      addDelivery(uow, DeliveryTransaction.create(deliveryId, parties, addressOnFile(parties.buyerId)));
    }),
  );
}

/**
 * Books the carrier (idempotent per delivery id at the carrier) and records the tracking
 * number. A delivery the buyer cancelled before it was booked is not booked at all.
 */
export async function bookCarrier(
  pool: pg.Pool,
  carrier: Carrier,
  deliveryId: string,
): Promise<{ trackingNumber: string | null; status: DeliveryStatus }> {
  const { address, status, trackingNumber } = await withDelivery(pool, deliveryId, async (d) => ({ ...d.state }));
  if (trackingNumber || status === 'cancelled') return { trackingNumber, status };
  const booking = await carrier.bookShipment({ deliveryId, address });
  return withDelivery(pool, deliveryId, async (d) => {
    d.booked(booking.trackingNumber);
    return { trackingNumber: booking.trackingNumber, status: d.state.status };
  });
}

/**
 * The buyer cancelled: the carrier's booking, if one was made, is cancelled too (the
 * route cancelled it already unless it was still being recorded then). Refused by the
 * carrier, the parcel has left, and the order becomes a return (`cancelledTooLate`).
 */
export async function cancelShipment(pool: pg.Pool, carrier: Carrier, deliveryId: string): Promise<{ status: DeliveryStatus }> {
  const trackingNumber = await withDelivery(pool, deliveryId, async (d) => d.state.trackingNumber);
  if (!trackingNumber || (await carrier.cancelShipment(trackingNumber))) return deliveryStatus(pool, deliveryId);
  return withDelivery(pool, deliveryId, async (d) => ({ status: d.cancelledTooLate() }));
}

export async function recordMissedDeadline(
  pool: pg.Pool,
  deliveryId: string,
  stage: 'shipping' | 'delivery',
  missed: number,
): Promise<void> {
  await withDelivery(pool, deliveryId, async (d) => d.deadlineMissed(stage, missed));
}

/** A carrier webhook, applied in the webhook's unit of work. Returns whether it was news. */
export async function applyCarrierEvent(
  uow: UnitOfWork,
  deliveryId: string,
  type: CarrierEventType,
  trackingNumber: string,
): Promise<boolean> {
  const delivery = await findDelivery(uow, deliveryId);
  if (!delivery) throw new NotFound(`no delivery ${deliveryId}`);
  return delivery.apply(type, trackingNumber);
}

/**
 * The saga's last deadline passed. Before the package counts as lost, its real state is
 * checked twice: our own record (a `package.delivered` may have been applied while the
 * timer fired) and the carrier's (its webhook may never have arrived). Whatever the
 * carrier knows is recorded; only a parcel neither has seen arrive is declared lost.
 * Returns the delivery's status after the check, which decides whether to refund.
 */
export async function declareLost(pool: pg.Pool, carrier: Carrier, deliveryId: string): Promise<{ status: DeliveryStatus }> {
  const trackingNumber = await withDelivery(pool, deliveryId, async (d) => d.state.trackingNumber);
  const atCarrier = trackingNumber ? await carrier.shipmentStatus(trackingNumber) : 'booked';
  return withDelivery(pool, deliveryId, async (d) => {
    if (atCarrier === 'delivered' || atCarrier === 'returned') d.apply(`package.${atCarrier}`);
    d.declareLost(); // a no-op when the delivery is no longer under way
    return { status: d.state.status };
  });
}

/**
 * The delivery's status as the saga acts on it. Read under a share lock, so a writer
 * that told the saga before its COMMIT (a route, a webhook: `whenWritten`) is waited for
 * and its change is seen, never the state before it.
 */
export const deliveryStatus = (pool: pg.Pool, deliveryId: string) =>
  statusForShare<DeliveryStatus>(pool, 'delivery_transactions', deliveryId, 'delivery');

/** The seller's response window ended: a pending order is rejected; an answered one keeps the answer. */
export async function rejectUnansweredOrder(pool: pg.Pool, deliveryId: string): Promise<{ status: DeliveryStatus }> {
  return withDelivery(pool, deliveryId, async (d) => ({ status: d.rejectUnanswered() }));
}

/** The reminder before the confirmation window ends, once (the e-mail goes out from the event). */
export async function remindToConfirm(pool: pg.Pool, deliveryId: string): Promise<{ status: DeliveryStatus }> {
  return withDelivery(pool, deliveryId, async (d) => {
    d.remindToConfirm();
    return { status: d.state.status };
  });
}

/** The confirmation window ended: a delivered order nobody claimed back is confirmed. */
export async function confirmUnclaimedDelivery(pool: pg.Pool, deliveryId: string): Promise<{ status: DeliveryStatus }> {
  return withDelivery(pool, deliveryId, async (d) => ({ status: d.confirmUnclaimed() }));
}

/** Books the return with the carrier (idempotent per delivery at the carrier) and records its tracking number. */
export async function bookReturn(pool: pg.Pool, carrier: Carrier, deliveryId: string): Promise<{ returnTrackingNumber: string }> {
  const { address, returnTrackingNumber } = await withDelivery(pool, deliveryId, async (d) => ({ ...d.state }));
  if (returnTrackingNumber) return { returnTrackingNumber };
  const booking = await carrier.bookReturn({ deliveryId, address });
  await withDelivery(pool, deliveryId, async (d) => d.returnBooked(booking.trackingNumber));
  return { returnTrackingNumber: booking.trackingNumber };
}

/** The return's deadline passed without news: what the carrier knows of it decides (DeliveryTransaction.settleOverdueReturn). */
export async function settleOverdueReturn(pool: pg.Pool, carrier: Carrier, deliveryId: string): Promise<{ status: DeliveryStatus }> {
  const { returnTrackingNumber, trackingNumber } = await withDelivery(pool, deliveryId, async (d) => ({ ...d.state }));
  const atCarrier = returnTrackingNumber ? await carrier.shipmentStatus(returnTrackingNumber) : 'booked';
  const outboundAtCarrier = trackingNumber ? await carrier.shipmentStatus(trackingNumber) : 'booked';
  return withDelivery(pool, deliveryId, async (d) => ({ status: d.settleOverdueReturn(atCarrier, outboundAtCarrier) }));
}

/**
 * Issues the voucher once: the code is drawn here and stored with the service
 * transaction; a retried activity finds it there, never draws a second one. The code is
 * not returned, so it never enters the saga's history.
 */
export async function issueVoucher(pool: pg.Pool, input: Parties & { serviceId: string }): Promise<void> {
  await retryOnConflict(() =>
    runInUnitOfWork(pool, async (uow) => {
      if (await findService(uow, input.serviceId)) return;
      const { serviceId, ...parties } = input;
      addService(uow, ServiceTransaction.issue(serviceId, parties, voucherCode(), new Date()));
    }),
  );
}

/** The voucher's status as the saga acts on it, read under a share lock (see deliveryStatus). */
export const serviceStatus = (pool: pg.Pool, serviceId: string) =>
  statusForShare<ServiceStatus>(pool, 'service_transactions', serviceId, 'service');

/** The voucher's validity ended: unused, it expires; redeemed or cancelled first, it stays so. */
export async function expireVoucher(pool: pg.Pool, serviceId: string): Promise<{ status: ServiceStatus }> {
  return retryOnConflict(() =>
    runInUnitOfWork(pool, async (uow) => {
      const service = await findService(uow, serviceId);
      if (!service) throw new NotFound(`no service ${serviceId}`);
      return { status: service.expire() };
    }),
  );
}

export async function withDelivery<T>(pool: pg.Pool, deliveryId: string, change: (d: DeliveryTransaction) => Promise<T>): Promise<T> {
  return retryOnConflict(() =>
    runInUnitOfWork(pool, async (uow) => {
      const delivery = await findDelivery(uow, deliveryId);
      if (!delivery) throw new NotFound(`no delivery ${deliveryId}`);
      return change(delivery);
    }),
  );
}

async function statusForShare<S extends string>(
  pool: pg.Pool,
  table: 'delivery_transactions' | 'service_transactions',
  id: string,
  what: string,
): Promise<{ status: S }> {
  return runInUnitOfWork(pool, async (uow) => {
    const { rows } = await uow.sql.query<{ status: S }>(`SELECT status FROM ${table} WHERE id = $1 FOR SHARE`, [id]);
    if (!rows[0]) throw new NotFound(`no ${what} ${id}`);
    return { status: rows[0].status };
  });
}

/** 16 characters from an alphabet without look-alikes (no 0/O, 1/I/L), in groups of four. */
function voucherCode(): string {
  const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const chars = Array.from(bytes, (b) => alphabet[b % alphabet.length]);
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join('')).join('-');
}
