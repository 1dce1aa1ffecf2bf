import { parseArgs } from 'node:util';
import { z } from 'zod';
import { randomSeed } from './random.ts';

/** A run's knobs. Scale a run down with these, never by skipping a check. */
export const ChaosOptionsSchema = z.object({
  minutes: z.coerce
    .number()
    .positive()
    .max(24 * 60)
    .default(10),
  seed: z.coerce.number().int().min(0).max(0x7fffffff).optional(),
  customers: z.coerce.number().int().min(3).max(1_000).default(40),
  /** Mean seconds between two faults. */
  faultEvery: z.coerce.number().positive().max(3_600).default(8),
  fuzzRequests: z.coerce.number().int().min(0).max(1_000_000).default(2_000),
  /** How long the platform may take to settle after the load stops, in seconds. */
  quietTimeout: z.coerce.number().positive().max(3_600).default(240),
  /** Where the run's data and logs go (default: a fresh temporary directory, kept when a check fails). */
  dataDir: z.string().min(1).optional(),
});
export type ChaosOptions = z.infer<typeof ChaosOptionsSchema> & { seed: number };

export function parseChaosArgs(argv: string[]): ChaosOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: 'string' },
      seed: { type: 'string' },
      customers: { type: 'string' },
      'fault-every': { type: 'string' },
      'fuzz-requests': { type: 'string' },
      'quiet-timeout': { type: 'string' },
      'data-dir': { type: 'string' },
    },
    strict: true,
  });
  const parsed = ChaosOptionsSchema.safeParse({
    minutes: values.minutes,
    seed: values.seed,
    customers: values.customers,
    faultEvery: values['fault-every'],
    fuzzRequests: values['fuzz-requests'],
    quietTimeout: values['quiet-timeout'],
    dataDir: values['data-dir'],
  });
  if (!parsed.success) {
    throw new Error(`invalid option: ${parsed.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('; ')}`);
  }
  return { ...parsed.data, seed: parsed.data.seed ?? randomSeed() };
}
