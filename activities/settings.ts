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
        sellerResponseWindowMs: config.SELLER_RESPONSE_WINDOW,
        confirmationWindowMs: config.CONFIRMATION_WINDOW,
        confirmationReminderMs: config.CONFIRMATION_REMINDER,
        voucherValidityMs: config.VOUCHER_VALIDITY,
        settlementDelayMs: config.SETTLEMENT_DELAY,
      };
    },
  };
}

export type SettingsActivities = ReturnType<typeof createSettingsActivities>;
