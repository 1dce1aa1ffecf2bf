import type { z } from 'zod';
import type { FieldError } from '../../kernel/errors.ts';

/** zod issues as the problem's `errors` (docs/README.md): a dotted path from the request root and a message. */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}
