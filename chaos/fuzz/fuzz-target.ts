/**
 * What the fuzz is pointed at: a running API, the secrets it trusts, and what the caller
 * knows about the state it loaded (whose resources are whose, and how to read the
 * database), so the fuzz can tell a refusal that changed nothing from one that did.
 */

/** A resource that belongs to some customers only; the parties may see and act on it, nobody else. */
export interface OwnedResource {
  kind: 'auction' | 'payment' | 'delivery' | 'service' | 'withdrawal' | 'account' | 'customer' | 'saga';
  id: string;
  parties: string[];
}

export interface FuzzTarget {
  apiUrl: string;
  authSecret: string;
  webhookSecrets: { payments: string; carrier: string; lightning: string };
  /** Customer ids that own the resources below. */
  customers: string[];
  /** Gathered by the caller from its load. */
  resources: OwnedResource[];
  /** A digest of the business state (every table except idempotency_keys and the migrations table). */
  fingerprint(): Promise<string>;
  /** Waits until anything an accepted request set going (the outbox relay) has finished, so the next fingerprint is stable. */
  settle(): Promise<void>;
  /** How many idempotency_keys rows exist, to check that 400/401/413/415 answers stored nothing. */
  idempotencyRows(): Promise<number>;
}

export type WebhookSource = keyof FuzzTarget['webhookSecrets'];
export const WEBHOOK_SOURCES: readonly WebhookSource[] = ['payments', 'carrier', 'lightning'];
