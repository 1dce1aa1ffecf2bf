import type { WebhookOutcome } from '../observability/http-metrics.ts';

/** Variables the HTTP middleware sets for the handlers after it. */
export interface AppEnv {
  Variables: {
    /** The authenticated customer (`sub` of the bearer token). */
    customerId: string;
    /** The request's `Idempotency-Key`, once claimed: routes that create derive the new id from it (`idFromRequestKey`). */
    idempotencyKey?: string;
    /** What the webhook receiver made of a delivery, for the metrics middleware to count. */
    webhookOutcome?: WebhookOutcome;
  };
}
