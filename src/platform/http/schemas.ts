import { z } from '@hono/zod-openapi';
import { InvalidInput } from '../../kernel/errors.ts';
import { CURRENCIES, Money } from '../../kernel/money.ts';

/**
 * The API's Money (docs/README.md) at the boundary: `{ amount: "12.50", currency: "USD" }` in, a `Money`
 * out. The currency list and precision rules are the kernel's, so the edge and the
 * domain can never disagree; errors land on `amount` or `currency` under the field.
 */
export const MoneySchema = z
  .object({
    amount: z.string().openapi({ example: '12.50', description: "decimal string in the currency's precision; never a float" }),
    currency: z.enum(CURRENCIES as [string, ...string[]]).openapi({ description: 'USD and EUR have 2 decimal places, SAT (satoshis) 0' }),
  })
  .transform((value, ctx) => {
    try {
      return Money.of(value.amount, value.currency);
    } catch (error) {
      if (!(error instanceof InvalidInput)) throw error;
      for (const e of error.errors) ctx.addIssue({ code: 'custom', path: [e.path], message: e.message });
      return z.NEVER;
    }
  })
  .openapi('Money');

export const MoneyView = z
  .object({ amount: z.string().openapi({ example: '12.50' }), currency: z.enum(CURRENCIES as [string, ...string[]]) })
  .openapi('MoneyView');

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

/** The standard error responses of a route, for the OpenAPI document. */
export function problemResponses(...statuses: number[]) {
  const descriptions: Record<number, string> = {
    400: 'Invalid input; `errors` names each field',
    401: 'Missing or invalid bearer token',
    403: 'Not yours',
    404: 'Unknown id',
    409: 'State conflict',
    413: 'Request body over 1 MB (webhooks: 256 KB)',
    422: 'Business rule refused the request',
    503: 'A dependency is down',
  };
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: descriptions[status] ?? 'Error', content: { 'application/problem+json': { schema: ProblemSchema } } },
    ]),
  );
}

export const IdParam = z.object({
  id: z
    .string()
    .uuid()
    .openapi({ param: { name: 'id', in: 'path' } }),
});

export const BEARER_AUTH = [{ bearerAuth: [] as string[] }];

/** `/customers/{id}/…`: a customer id in the path (customer ids are the token's `sub`, not UUIDs). */
export const CustomerIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

/** `/accounts/{id}/…`: a SAT account, whose id is its owner's customer id. */
export const AccountIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'id', in: 'path' }, description: "the account id, which is the owner's customer id" }),
});

/** A route's JSON answer of `schema`, for `responses`. */
export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** A route's required JSON body of `schema`, for `request`. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({ body: { required: true, content: { 'application/json': { schema } } } });
