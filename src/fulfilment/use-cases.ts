import type pg from 'pg';
import { NotFound } from '../kernel/errors.ts';
import { retryOnConflict } from '../platform/db/retry-on-conflict.ts';
import { runInUnitOfWork, type UnitOfWork } from '../platform/db/unit-of-work.ts';
import type { Carrier } from './carrier.ts';
import { DeliveryTransaction, ServiceTransaction, type CarrierEventType, type DeliveryStatus, type Parties } from './domain.ts';
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

/** Books the carrier (idempotent per delivery id at the carrier) and records the tracking number. */
export async function bookCarrier(pool: pg.Pool, carrier: Carrier, deliveryId: string): Promise<{ trackingNumber: string }> {
  const address = await withDelivery(pool, deliveryId, async (d) => d.state.address);
  const { trackingNumber } = await carrier.bookShipment({ deliveryId, address });
  await withDelivery(pool, deliveryId, async (d) => d.booked(trackingNumber));
  return { trackingNumber };
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
export async function applyCarrierEvent(uow: UnitOfWork, deliveryId: string, type: CarrierEventType): Promise<boolean> {
  const delivery = await findDelivery(uow, deliveryId);
  if (!delivery) throw new NotFound(`no delivery ${deliveryId}`);
  return delivery.apply(type);
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
    const carrierKnows: CarrierEventType | undefined =
      atCarrier === 'delivered' || atCarrier === 'returned' ? `package.${atCarrier}` : undefined;
    if (carrierKnows) d.apply(carrierKnows);
    d.apply('package.lost'); // a no-op when the delivery has already ended
    return { status: d.state.status };
  });
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
      addService(uow, ServiceTransaction.issue(serviceId, parties, voucherCode()));
    }),
  );
}

export async function redeemVoucher(pool: pg.Pool, serviceId: string, customerId: string): Promise<void> {
  await retryOnConflict(() =>
    runInUnitOfWork(pool, async (uow) => {
      const service = await findService(uow, serviceId);
      if (!service) throw new NotFound(`no service ${serviceId}`);
      service.redeem(customerId);
    }),
  );
}

async function withDelivery<T>(pool: pg.Pool, deliveryId: string, change: (d: DeliveryTransaction) => Promise<T>): Promise<T> {
  return retryOnConflict(() =>
    runInUnitOfWork(pool, async (uow) => {
      const delivery = await findDelivery(uow, deliveryId);
      if (!delivery) throw new NotFound(`no delivery ${deliveryId}`);
      return change(delivery);
    }),
  );
}

/** 16 characters from an alphabet without look-alikes (no 0/O, 1/I/L), in groups of four. */
function voucherCode(): string {
  const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const chars = Array.from(bytes, (b) => alphabet[b % alphabet.length]);
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join('')).join('-');
}
