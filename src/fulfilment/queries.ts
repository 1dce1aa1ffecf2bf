import type { Sql } from '../platform/db/pools.ts';
import type { DeliveryStatus, ServiceStatus } from './domain.ts';

export interface DeliveryView {
  id: string;
  auctionId: string;
  buyerId: string;
  sellerId: string;
  paymentId: string;
  title: string;
  status: DeliveryStatus;
  trackingNumber: string | null;
  returnTrackingNumber: string | null;
  reason: string | null;
  address: string;
  missedDeadlines: number;
  createdAt: string;
  version: number;
}

export interface ServiceView {
  id: string;
  auctionId: string;
  buyerId: string;
  sellerId: string;
  paymentId: string;
  title: string;
  status: ServiceStatus;
  code?: string;
  createdAt: string;
  version: number;
}

export async function getDelivery(read: Sql, id: string): Promise<DeliveryView | undefined> {
  const { rows } = await read.query('SELECT * FROM delivery_transactions WHERE id = $1', [id]);
  return rows[0] && toDeliveryView(rows[0]);
}

export async function listDeliveriesOfCustomer(read: Sql, customerId: string): Promise<DeliveryView[]> {
  const { rows } = await read.query(
    'SELECT * FROM delivery_transactions WHERE buyer_id = $1 OR seller_id = $1 ORDER BY created_at DESC LIMIT 200',
    [customerId],
  );
  return rows.map(toDeliveryView);
}

/** The voucher code is the buyer's secret: shown to them only. */
export async function getService(read: Sql, id: string, viewer: string): Promise<ServiceView | undefined> {
  const { rows } = await read.query('SELECT * FROM service_transactions WHERE id = $1', [id]);
  return rows[0] && toServiceView(rows[0], viewer);
}

/** The code of a voucher, for the one e-mail that carries it to the buyer. */
export async function voucherCodeOf(sql: Sql, serviceId: string): Promise<string | undefined> {
  const { rows } = await sql.query('SELECT code FROM service_transactions WHERE id = $1', [serviceId]);
  return rows[0]?.code;
}

export async function listServicesOfCustomer(read: Sql, customerId: string): Promise<ServiceView[]> {
  const { rows } = await read.query(
    'SELECT * FROM service_transactions WHERE buyer_id = $1 OR seller_id = $1 ORDER BY created_at DESC LIMIT 200',
    [customerId],
  );
  return rows.map((r) => toServiceView(r, customerId));
}

export async function deliveryParties(read: Sql, id: string): Promise<string[] | undefined> {
  const d = await getDelivery(read, id);
  return d && [d.buyerId, d.sellerId];
}

export async function serviceParties(read: Sql, id: string): Promise<string[] | undefined> {
  const { rows } = await read.query<{ buyer_id: string; seller_id: string }>(
    'SELECT buyer_id, seller_id FROM service_transactions WHERE id = $1',
    [id],
  );
  return rows[0] && [rows[0].buyer_id, rows[0].seller_id];
}

function toDeliveryView(r: Record<string, any>): DeliveryView {
  return {
    id: r.id,
    auctionId: r.auction_id,
    buyerId: r.buyer_id,
    sellerId: r.seller_id,
    paymentId: r.payment_id,
    title: r.title,
    status: r.status,
    trackingNumber: r.tracking_number,
    returnTrackingNumber: r.return_tracking_number,
    reason: r.reason,
    address: r.address,
    missedDeadlines: r.missed_deadlines,
    createdAt: r.created_at.toISOString(),
    version: r.version,
  };
}

function toServiceView(r: Record<string, any>, viewer: string): ServiceView {
  return {
    id: r.id,
    auctionId: r.auction_id,
    buyerId: r.buyer_id,
    sellerId: r.seller_id,
    paymentId: r.payment_id,
    title: r.title,
    status: r.status,
    ...(viewer === r.buyer_id ? { code: r.code } : {}),
    createdAt: r.created_at.toISOString(),
    version: r.version,
  };
}
