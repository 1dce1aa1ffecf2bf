import { z } from 'zod';
import { DURATION_FORMAT, parseDuration } from '../../kernel/duration.ts';

/** Values for local development only; start-up says so loudly when they are in use. */
export const DEV_SECRETS = {
  AUTH_SECRET: 'dev-only-auth-secret-change-me-0123456789',
  PAYMENTS_WEBHOOK_SECRET: 'dev-only-payments-webhook-secret',
  CARRIER_WEBHOOK_SECRET: 'dev-only-carrier-webhook-secret',
  LIGHTNING_WEBHOOK_SECRET: 'dev-only-lightning-webhook-secret',
} as const;

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration: use ${DURATION_FORMAT}` });
        return z.NEVER;
      }
      return ms;
    });

/**
 * A percentage `0%`–`100%` with up to two decimals, as basis points (`5%` → 500,
 * `2.25%` → 225): whole numbers, so a fee is computed without a float.
 */
const percentage = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const match = /^(\d{1,3})(?:\.(\d{1,2}))?%$/.exec(text.trim());
      const basisPoints = match ? Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0')) : NaN;
      if (!(basisPoints >= 0 && basisPoints <= 10_000)) {
        ctx.addIssue({
          code: 'custom',
          message: `"${text}" is not a percentage from 0% to 100% with at most two decimals (e.g. 5%, 2.5%)`,
        });
        return z.NEVER;
      }
      return basisPoints;
    });

const port = (fallback: number) => z.coerce.number().int().min(1).max(65_535).default(fallback);
const secret = (fallback: string) => z.string().min(16, 'must be at least 16 characters').default(fallback);

const ConfigSchema = z.object({
  PORT: port(3000),
  DATABASE_URL: z.string().url().optional(),
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  /** Temporal's HTTP API (host:port), used by the fetch-only gateway on Deno and edge runtimes. */
  TEMPORAL_HTTP_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('marketplace'),
  AUTH_SECRET: secret(DEV_SECRETS.AUTH_SECRET),
  /** An external identity provider's JWKS (RS256/ES256 tokens); unset, only our own HS256 tokens are accepted. */
  AUTH_JWKS_URL: z.string().url().optional(),
  AUTH_ISSUER: z.string().min(1).optional(),
  AUTH_AUDIENCE: z.string().min(1).optional(),
  PAYMENTS_WEBHOOK_SECRET: secret(DEV_SECRETS.PAYMENTS_WEBHOOK_SECRET),
  CARRIER_WEBHOOK_SECRET: secret(DEV_SECRETS.CARRIER_WEBHOOK_SECRET),
  LIGHTNING_WEBHOOK_SECRET: secret(DEV_SECRETS.LIGHTNING_WEBHOOK_SECRET),
  PAYMENT_WINDOW: duration('3d'),
  SHIPPING_DEADLINE: duration('2d'),
  DELIVERY_DEADLINE: duration('14d'),
  WITHDRAWAL_TIMEOUT: duration('1h'),
  /** The order after payment (issue 13): the seller's answer, the buyer's confirmation, vouchers, payouts. */
  SELLER_RESPONSE_WINDOW: duration('2d'),
  CONFIRMATION_WINDOW: duration('7d'),
  CONFIRMATION_REMINDER: duration('3d'),
  VOUCHER_VALIDITY: duration('90d'),
  VOUCHER_CANCEL_WINDOW: duration('7d'),
  /** Kept from each payout, in basis points (see `percentage`). */
  PLATFORM_FEE: percentage('5%'),
  SETTLEMENT_DELAY: duration('1d'),
  /** How often a withdrawal saga asks a silent node before it hands its history to a new run (continue-as-new). */
  WITHDRAWAL_ASKS_PER_RUN: z.coerce.number().int().min(1).max(1000).default(50),
  /** Card attempts per payment; the next request is refused (422), so a saga's history stays bounded. */
  MAX_CHARGE_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  /** Serve `POST /accounts/:id/deposits` (free money): on in `npm run dev` and the tests only. */
  TEST_DEPOSITS: z.enum(['on', 'off']).default('off'),
  PAYMENTS_SIM_PORT: port(4010),
  CARRIER_SIM_PORT: port(4020),
  LIGHTNING_SIM_PORT: port(4030),
  /** Where the outside world is; by default the simulators on their local ports. */
  PAYMENTS_PROVIDER_URL: z.string().url().optional(),
  CARRIER_URL: z.string().url().optional(),
  LIGHTNING_NODE_URL: z.string().url().optional(),
  /**
   * Workflows a worker keeps in memory between their tasks (the sticky cache). A saga
   * asleep on a timer for days need not stay: evicted, it replays its short history when
   * it wakes. Each cached saga costs about 0.3 MB (bench/memory.ts).
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(1).max(100_000).default(100),
  /** A workflow bundle made beforehand (`writeWorkflowBundle`): the worker loads it instead of bundling at start. */
  WORKFLOW_BUNDLE: z.string().min(1).optional(),
  /** Prometheus `GET /metrics` of the worker and the relay (the API serves its own on PORT); 0 takes any free port. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(9464),
  RELAY_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(9465),
  /** Traces go to this OTLP/HTTP collector (e.g. http://localhost:4318); unset, no spans are made at all. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .string()
    .regex(/^https?:\/\/[^/\s]+/, 'must be an http:// or https:// URL, e.g. http://localhost:4318')
    .optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof ConfigSchema> & {
  PAYMENTS_PROVIDER_URL: string;
  CARRIER_URL: string;
  LIGHTNING_NODE_URL: string;
};

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads the environment once, at start-up. Any invalid value stops the process with a
 * message naming the variable. Takes the environment as an argument so it works on
 * Node (`process.env`), Deno (`Deno.env.toObject()`) and in tests alike.
 * Empty strings count as unset, as shells and compose files often produce them.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = ConfigSchema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => ({ variable: String(i.path[0]), message: i.message })));
  }
  const c = result.data;
  // A provider's JWKS signs tokens for every issuer and audience it serves (a big
  // provider's keys sign for all its customers' apps): without both checks, tokens made
  // for someone else's app would be let in.
  if (c.AUTH_JWKS_URL) {
    const missing = (['AUTH_ISSUER', 'AUTH_AUDIENCE'] as const).filter((name) => !c[name]);
    if (missing.length > 0) {
      throw new ConfigError(missing.map((variable) => ({ variable, message: 'is required when AUTH_JWKS_URL is set' })));
    }
  }
  return {
    ...c,
    PAYMENTS_PROVIDER_URL: c.PAYMENTS_PROVIDER_URL ?? `http://127.0.0.1:${c.PAYMENTS_SIM_PORT}`,
    CARRIER_URL: c.CARRIER_URL ?? `http://127.0.0.1:${c.CARRIER_SIM_PORT}`,
    LIGHTNING_NODE_URL: c.LIGHTNING_NODE_URL ?? `http://127.0.0.1:${c.LIGHTNING_SIM_PORT}`,
  };
}

/** Names of the secrets still at their development defaults, to warn about at start-up. */
export function devSecretsInUse(config: Config): string[] {
  return (Object.keys(DEV_SECRETS) as (keyof typeof DEV_SECRETS)[]).filter((name) => config[name] === DEV_SECRETS[name]);
}
