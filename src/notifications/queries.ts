import type { Sql } from '../platform/db/pools.ts';

export interface NotificationView {
  id: string;
  kind: string;
  subject: string;
  body: string;
  data: Record<string, unknown>;
  sentAt: string;
}

export async function listNotifications(read: Sql, customerId: string, limit = 200): Promise<NotificationView[]> {
  const { rows } = await read.query(
    'SELECT id, kind, subject, body, data, created_at FROM notifications WHERE customer_id = $1 ORDER BY created_at DESC LIMIT $2',
    [customerId, limit],
  );
  return rows.map((r) => ({ id: r.id, kind: r.kind, subject: r.subject, body: r.body, data: r.data, sentAt: r.created_at.toISOString() }));
}
