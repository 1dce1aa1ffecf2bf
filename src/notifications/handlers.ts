import type { MessageBus } from '../platform/bus/message-bus.ts';
import type { Sql } from '../platform/db/pools.ts';
import type { Message } from '../platform/db/outbox.ts';
import { voucherCodeOf } from '../fulfilment/queries.ts';
import type { EmailSender } from './email.ts';
import { EMAILS_BY_EVENT, emailsFor } from './emails.ts';

/**
 * Secrets an e-mail carries that its event must not (DESIGN property 12): read from their
 * owner's record when the e-mail is written, so the outbox and the event store never hold them.
 */
const SECRETS_BY_EVENT: Record<string, (sql: Sql, message: Message) => Promise<Record<string, unknown>>> = {
  VoucherIssued: async (sql, message) => ({ code: await voucherCodeOf(sql, String(message.payload.aggregateId)) }),
};

/** E-mails go out from the outbox: one handler per event type that causes mail. */
export function subscribeNotificationHandlers(bus: MessageBus, sender: EmailSender): void {
  for (const type of Object.keys(EMAILS_BY_EVENT)) {
    bus.subscribe(type, `notifications.email-on-${type}`, async (message, { uow }) => {
      const secrets = await SECRETS_BY_EVENT[type]?.(uow.sql, message);
      const withSecrets = secrets ? { ...message, payload: { ...message.payload, ...secrets } } : message;
      for (const email of emailsFor(withSecrets)) await sender.send(uow.sql, email);
    });
  }
}
