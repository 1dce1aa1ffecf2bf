import type { Sql } from '../platform/db/pools.ts';

export interface Email {
  to: string;
  /** What it is about, for filtering: `overbid`, `auction-won`, `payment-captured`, … */
  kind: string;
  subject: string;
  body: string;
  /** The fact and recipient this e-mail is for; the same key is never sent twice. */
  dedupKey: string;
  data?: Record<string, unknown>;
}

/**
 * The e-mail port. It sends inside the handler's transaction, so an e-mail exists only
 * for committed facts. A real adapter (an SMTP relay or e-mail API) would enqueue here
 * and deliver after commit; the default adapter records every message in Postgres,
 * which is what `GET /customers/:id/notifications` shows.
 */
export interface EmailSender {
  send(sql: Sql, email: Email): Promise<void>;
}

export const recordingEmailSender: EmailSender = {
  async send(sql, email) {
    await sql.query(
      `INSERT INTO notifications (id, customer_id, kind, subject, body, dedup_key, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dedup_key) DO NOTHING`,
      [crypto.randomUUID(), email.to, email.kind, email.subject, email.body, email.dedupKey, JSON.stringify(email.data ?? {})],
    );
  },
};
