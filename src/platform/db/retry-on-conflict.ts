import { ConcurrencyConflict } from '../../kernel/errors.ts';

export interface RetryOptions {
  /** Tries in all, the first included. */
  attempts?: number;
  /** Upper bound of the first back-off; doubles each retry up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Re-runs a whole use case (a fresh unit of work, so a fresh read) when its versioned
 * write lost a race, up to `attempts` tries in all; the last conflict then reaches the
 * caller (409). The wait is "full jitter": random in [0, cap], so writers that collided
 * once spread out instead of colliding again in lockstep.
 */
export async function retryOnConflict<T>(useCase: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 10;
  const baseDelayMs = options.baseDelayMs ?? 2;
  const maxDelayMs = options.maxDelayMs ?? 100;
  for (let attempt = 1; ; attempt++) {
    try {
      return await useCase();
    } catch (error) {
      if (!(error instanceof ConcurrencyConflict) || attempt >= attempts) throw error;
      const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * cap));
    }
  }
}
