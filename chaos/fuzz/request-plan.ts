import type { AuthPlan } from './auth-plans.ts';
import type { BodyPlan } from './body-plans.ts';
import type { OwnedResource } from './fuzz-target.ts';
import type { WebhookPlan, WebhookReplayPlan } from './webhook-plans.ts';

/**
 * One request of a fuzz run, as generated: plain data, so a seed gives the same list
 * again. Whatever depends on the moment (token expiry, webhook timestamps) is made from
 * it when the request is sent.
 */
export type PlannedRequest = ApiRequestPlan | WebhookPlan | WebhookReplayPlan;

export interface ApiRequestPlan {
  kind: 'api';
  /** The operation as the document names it, e.g. `POST /payments/{id}/charge`. */
  operation: string;
  method: string;
  /** The operation wants a token: without a valid one it must be refused. */
  secured: boolean;
  /** The path as sent: parameters filled (encoded, or raw on purpose) and any query string. */
  path: string;
  auth: AuthPlan;
  headers: Record<string, string>;
  body: BodyPlan | undefined;
  /** The owned resource the path names, if it does (an id the caller may or may not be a party to). */
  resource?: ResourceRef;
  /** Set on IDOR probes: an otherwise valid request on `resource` by `caller`, who is not a party. */
  idor?: { resource: ResourceRef; caller: string };
}

export interface ResourceRef {
  kind: OwnedResource['kind'];
  id: string;
}
