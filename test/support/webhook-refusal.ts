import { InvalidInput } from '../../src/kernel/errors.ts';

/** The InvalidInput a webhook event's parse throws; a failure if it throws nothing or something else. */
export function refusal(run: () => unknown): InvalidInput {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidInput) return error;
    throw error;
  }
  throw new Error('expected the event to be refused');
}
