import { eventHandlers, type OutboxEvent } from '../platform/bus/event-handlers.ts';
import type { MessageBus } from '../platform/bus/message-bus.ts';
import type { Sql } from '../platform/db/pools.ts';
import { donorsOf } from '../crowdfunding/queries.ts';
import { voucherCodeOf } from '../fulfilment/queries.ts';
import type { EmailSender } from './email.ts';
import {
  EMAILS_BY_EVENT,
  MAILED_EVENT_PAYLOADS,
  MAILED_EVENT_TYPES,
  type EmailContext,
  type MailedEvent,
  type MailedEventType,
} from './emails.ts';

/**
 * What an e-mail needs beyond its event, read when the e-mail is written: secrets from
 * their owner's record (so the outbox and the event store never hold them, docs/design.md
 * property 12) and a campaign's donors.
 */
export async function emailContextOf(sql: Sql, event: { type: string; aggregateId: string }): Promise<EmailContext> {
  if (event.type === 'VoucherIssued') return { code: await voucherCodeOf(sql, event.aggregateId) };
  if (event.type === 'CampaignSucceeded') return { donors: await donorsOf(sql, event.aggregateId) };
  return {};
}

/**
 * E-mails go out from the outbox: one handler per event type that causes mail, which
 * parses the message's payload with its publisher's schema before anything else.
 */
export function subscribeNotificationHandlers(bus: MessageBus, sender: EmailSender): void {
  const handle = eventHandlers<MailedEvent>(bus);
  const subscribe = <T extends MailedEventType>(type: T) =>
    handle(type, `notifications.email-on-${type}`, MAILED_EVENT_PAYLOADS[type], async (event, { uow, messageId }) => {
      const context = await emailContextOf(uow.sql, event as OutboxEvent<MailedEvent, MailedEventType>);
      for (const email of EMAILS_BY_EVENT[type](event, messageId, context)) await sender.send(uow.sql, email);
    });
  for (const type of MAILED_EVENT_TYPES) subscribe(type);
}
