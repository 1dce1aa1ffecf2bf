import { eventHandlers, type OutboxEvent } from '../platform/bus/event-handlers.ts';
import type { MessageBus } from '../platform/bus/message-bus.ts';
import type { Sql } from '../platform/db/pools.ts';
import { voucherCodeOf } from '../fulfilment/queries.ts';
import type { EmailSender } from './email.ts';
import {
  EMAILS_BY_EVENT,
  MAILED_EVENT_PAYLOADS,
  MAILED_EVENT_TYPES,
  type EmailSecrets,
  type MailedEvent,
  type MailedEventType,
} from './emails.ts';

/**
 * Secrets an e-mail carries that its event must not (docs/design.md, property 12): read from their
 * owner's record when the e-mail is written, so the outbox and the event store never hold them.
 */
async function secretsOf(sql: Sql, event: OutboxEvent<MailedEvent, MailedEventType>): Promise<EmailSecrets> {
  return event.type === 'VoucherIssued' ? { code: await voucherCodeOf(sql, event.aggregateId) } : {};
}

/**
 * E-mails go out from the outbox: one handler per event type that causes mail, which
 * parses the message's payload with its publisher's schema before anything else.
 */
export function subscribeNotificationHandlers(bus: MessageBus, sender: EmailSender): void {
  const handle = eventHandlers<MailedEvent>(bus);
  const subscribe = <T extends MailedEventType>(type: T) =>
    handle(type, `notifications.email-on-${type}`, MAILED_EVENT_PAYLOADS[type], async (event, { uow, messageId }) => {
      const secrets = await secretsOf(uow.sql, event);
      for (const email of EMAILS_BY_EVENT[type](event, messageId, secrets)) await sender.send(uow.sql, email);
    });
  for (const type of MAILED_EVENT_TYPES) subscribe(type);
}
