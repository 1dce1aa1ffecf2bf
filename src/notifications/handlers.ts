import type { MessageBus } from '../platform/bus/message-bus.ts';
import type { EmailSender } from './email.ts';
import { EMAILS_BY_EVENT, emailsFor } from './emails.ts';

/** E-mails go out from the outbox: one handler per event type that causes mail. */
export function subscribeNotificationHandlers(bus: MessageBus, sender: EmailSender): void {
  for (const type of Object.keys(EMAILS_BY_EVENT)) {
    bus.subscribe(type, `notifications.email-on-${type}`, async (message, { uow }) => {
      for (const email of emailsFor(message)) await sender.send(uow.sql, email);
    });
  }
}
