import type { Config } from '../src/platform/config/config.ts';

/**
 * Configuration the sagas need. Workflow code cannot read the environment, so the first
 * step of a saga asks for it; the answer is recorded in the history, so replays agree.
 */
export function createSettingsActivities(config: Config) {
  return {
    async sagaTimeouts() {
      return {
        paymentWindowMs: config.PAYMENT_WINDOW,
        shippingDeadlineMs: config.SHIPPING_DEADLINE,
        deliveryDeadlineMs: config.DELIVERY_DEADLINE,
        withdrawalTimeoutMs: config.WITHDRAWAL_TIMEOUT,
        withdrawalAsksPerRun: config.WITHDRAWAL_ASKS_PER_RUN,
      };
    },
  };
}

export type SettingsActivities = ReturnType<typeof createSettingsActivities>;
