import { authorizationHeader, describeAuth } from './auth-plans.ts';
import { excerpt } from './fuzz-report.ts';
import type { FuzzTarget, WebhookSource } from './fuzz-target.ts';
import { sendHttp, type HttpOutcome } from './http-send.ts';
import type { ApiRequestPlan, PlannedRequest } from './request-plan.ts';
import { isStale, webhookSignatureHeader, type WebhookPlan } from './webhook-plans.ts';

/**
 * Turns a plan into bytes on the wire, at the moment it is sent (tokens and webhook
 * timestamps are made now), and keeps the correctly signed webhooks it sent, so that a
 * replay plan can send one of them again exactly.
 */

/** A correctly signed webhook as it was sent, and what it was answered. */
export interface CapturedWebhook {
  source: WebhookSource;
  headers: Record<string, string>;
  body: string;
  signedAtSeconds: number;
  status: number | undefined;
}

export interface SentRequest {
  method: string;
  path: string;
  outcome: HttpOutcome;
  /** What was sent, in words, for samples. */
  description: string;
  /** For a replay: the first answer, and whether the signature had gone stale since. */
  replay?: { firstStatus: number | undefined; stale: boolean };
  /** The request carried credentials that must be refused (a forged token, a bad or stale signature). */
  mustBeRefused: boolean;
}

export async function sendPlannedRequest(plan: PlannedRequest, target: FuzzTarget, captured: CapturedWebhook[]): Promise<SentRequest> {
  switch (plan.kind) {
    case 'api':
      return sendApiRequest(plan, target);
    case 'webhook':
      return sendWebhook(plan, target, captured);
    case 'webhook-replay':
      return replayWebhook(plan.pick, target, captured);
  }
}

async function sendApiRequest(plan: ApiRequestPlan, target: FuzzTarget): Promise<SentRequest> {
  const headers: Record<string, string> = { ...plan.headers };
  const authorization = await authorizationHeader(plan.auth, target.authSecret);
  if (authorization !== undefined) headers.authorization = authorization;
  if (plan.body?.contentType !== undefined) headers['content-type'] = plan.body.contentType;
  const outcome = await sendHttp({
    origin: target.apiUrl,
    method: plan.method,
    path: plan.path,
    headers,
    ...(plan.body ? { body: plan.body.text, chunked: plan.body.chunked } : {}),
  });
  const extras = Object.keys(plan.headers);
  return {
    method: plan.method,
    path: plan.path,
    outcome,
    description: [
      plan.idor ? `IDOR probe on ${plan.idor.resource.kind} ${plan.idor.resource.id} by ${plan.idor.caller}` : plan.operation,
      describeAuth(plan.auth),
      plan.body ? `${plan.body.label}: ${excerpt(plan.body.text, 160)}` : 'no body',
      ...(extras.length > 0 ? [`headers ${extras.join(', ')}`] : []),
    ].join('; '),
    mustBeRefused: plan.secured && plan.auth.kind !== 'valid',
  };
}

async function sendWebhook(plan: WebhookPlan, target: FuzzTarget, captured: CapturedWebhook[]): Promise<SentRequest> {
  const now = Math.floor(Date.now() / 1000);
  const signature = await webhookSignatureHeader(plan, target.webhookSecrets, now);
  const headers: Record<string, string> = {};
  if (plan.body.contentType !== undefined) headers['content-type'] = plan.body.contentType;
  if (signature !== undefined) headers['webhook-signature'] = signature;
  const path = `/webhooks/${plan.source}`;
  const outcome = await sendHttp({
    origin: target.apiUrl,
    method: 'POST',
    path,
    headers,
    body: plan.body.text,
    chunked: plan.body.chunked,
  });
  if (plan.signature.kind === 'valid') {
    captured.push({
      source: plan.source,
      headers,
      body: plan.body.text,
      signedAtSeconds: now + plan.signature.skewSeconds,
      status: outcome.kind === 'answered' ? outcome.status : undefined,
    });
  }
  return {
    method: 'POST',
    path,
    outcome,
    description: `webhook, signature ${plan.signature.kind}; ${plan.body.label}: ${excerpt(plan.body.text, 160)}`,
    mustBeRefused: plan.signature.kind !== 'valid',
  };
}

/**
 * Sends a captured webhook again, byte for byte. Before any was captured there is
 * nothing to replay: a fresh signed event of an unknown type is sent (and captured)
 * instead, so the run still sends one request for this plan.
 */
async function replayWebhook(pick: number, target: FuzzTarget, captured: CapturedWebhook[]): Promise<SentRequest> {
  const original = captured[pick % Math.max(1, captured.length)];
  if (!original) {
    const text = JSON.stringify({ id: `evt_fuzz_replayable_${pick}`, type: 'fuzz.replayable', data: {} });
    return sendWebhook(
      {
        kind: 'webhook',
        source: 'payments',
        body: { text, contentType: 'application/json', chunked: false, label: 'replayable event' },
        signature: { kind: 'valid', skewSeconds: 0, order: 't-first' },
      },
      target,
      captured,
    );
  }
  const path = `/webhooks/${original.source}`;
  const outcome = await sendHttp({ origin: target.apiUrl, method: 'POST', path, headers: original.headers, body: original.body });
  const stale = isStale(original.signedAtSeconds, Math.floor(Date.now() / 1000));
  return {
    method: 'POST',
    path,
    outcome,
    description: `replay of a webhook first answered ${original.status ?? 'nothing'}: ${excerpt(original.body, 160)}`,
    replay: { firstStatus: original.status, stale },
    mustBeRefused: false,
  };
}
