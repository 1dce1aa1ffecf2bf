import type { AggregateWriter, UnitOfWork } from '../platform/db/unit-of-work.ts';
import { DeliveryTransaction, ServiceTransaction, type DeliveryStatus, type ServiceStatus } from './domain.ts';

const DELIVERY_COLUMNS =
  'auction_id, buyer_id, seller_id, payment_id, title, address, status, tracking_number, missed_deadlines, return_tracking_number, reason, reminder_sent, started_before_orders, version';
const SERVICE_COLUMNS = 'auction_id, buyer_id, seller_id, payment_id, title, code, status, started_before_orders, version';

const deliveryWriter: AggregateWriter<DeliveryTransaction> = {
  aggregateType: 'DeliveryTransaction',
  async insert(sql, d) {
    await sql.query(
      `INSERT INTO delivery_transactions (id, ${DELIVERY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
      [d.id, ...deliveryValues(d)],
    );
  },
  async update(sql, d, expectedVersion) {
    const { rowCount } = await sql.query(
      `UPDATE delivery_transactions SET (${DELIVERY_COLUMNS}) = ($3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) WHERE id = $1 AND version = $2`,
      [d.id, expectedVersion, ...deliveryValues(d)],
    );
    return rowCount === 1;
  },
};

function deliveryValues(d: DeliveryTransaction): unknown[] {
  const s = d.state;
  return [
    s.auctionId,
    s.buyerId,
    s.sellerId,
    s.paymentId,
    s.title,
    s.address,
    s.status,
    s.trackingNumber,
    s.missedDeadlines,
    s.returnTrackingNumber,
    s.reason,
    s.reminderSent,
    s.startedBeforeOrders,
    d.version,
  ];
}

const serviceWriter: AggregateWriter<ServiceTransaction> = {
  aggregateType: 'ServiceTransaction',
  async insert(sql, v) {
    await sql.query(
      `INSERT INTO service_transactions (id, ${SERVICE_COLUMNS}, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [v.id, ...serviceValues(v), v.state.issuedAt],
    );
  },
  async update(sql, v, expectedVersion) {
    const { rowCount } = await sql.query(
      `UPDATE service_transactions SET (${SERVICE_COLUMNS}) = ($3, $4, $5, $6, $7, $8, $9, $10, $11) WHERE id = $1 AND version = $2`,
      [v.id, expectedVersion, ...serviceValues(v)],
    );
    return rowCount === 1;
  },
};

function serviceValues(v: ServiceTransaction): unknown[] {
  const s = v.state;
  return [s.auctionId, s.buyerId, s.sellerId, s.paymentId, s.title, s.code, s.status, s.startedBeforeOrders, v.version];
}

export async function findDelivery(uow: UnitOfWork, id: string): Promise<DeliveryTransaction | undefined> {
  const tracked = uow.tracked<DeliveryTransaction>(deliveryWriter.aggregateType, id);
  if (tracked) return tracked;
  const { rows } = await uow.read(`SELECT ${DELIVERY_COLUMNS} FROM delivery_transactions WHERE id = $1`, [id]);
  const r = rows[0];
  if (!r) return undefined;
  return uow.track(
    DeliveryTransaction.restore(id, r.version, {
      auctionId: r.auction_id,
      buyerId: r.buyer_id,
      sellerId: r.seller_id,
      paymentId: r.payment_id,
      title: r.title,
      address: r.address,
      status: r.status as DeliveryStatus,
      trackingNumber: r.tracking_number,
      missedDeadlines: r.missed_deadlines,
      returnTrackingNumber: r.return_tracking_number,
      reason: r.reason,
      reminderSent: r.reminder_sent,
      startedBeforeOrders: r.started_before_orders,
    }),
    deliveryWriter,
  );
}

export function addDelivery(uow: UnitOfWork, delivery: DeliveryTransaction): void {
  uow.add(delivery, deliveryWriter);
}

export async function findService(uow: UnitOfWork, id: string): Promise<ServiceTransaction | undefined> {
  const tracked = uow.tracked<ServiceTransaction>(serviceWriter.aggregateType, id);
  if (tracked) return tracked;
  const { rows } = await uow.read(`SELECT ${SERVICE_COLUMNS}, created_at FROM service_transactions WHERE id = $1`, [id]);
  const r = rows[0];
  if (!r) return undefined;
  return uow.track(
    ServiceTransaction.restore(id, r.version, {
      auctionId: r.auction_id,
      buyerId: r.buyer_id,
      sellerId: r.seller_id,
      paymentId: r.payment_id,
      title: r.title,
      code: r.code,
      status: r.status as ServiceStatus,
      issuedAt: r.created_at,
      startedBeforeOrders: r.started_before_orders,
    }),
    serviceWriter,
  );
}

export function addService(uow: UnitOfWork, service: ServiceTransaction): void {
  uow.add(service, serviceWriter);
}
