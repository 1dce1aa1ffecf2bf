import { createCarrierSimulator } from './carrier.ts';
import { createLightningNodeSimulator } from './lightning-node.ts';
import { createPaymentProviderSimulator } from './payment-provider.ts';
import { startSimulator, type RunningSimulator } from './serve.ts';

export interface SimulatorsConfig {
  /** The platform API the webhooks go to, e.g. `http://127.0.0.1:3000`. */
  apiBaseUrl: string;
  ports: { payments: number; carrier: number; lightning: number };
  secrets: { payments: string; carrier: string; lightning: string };
  hostname?: string;
  webhookDelayMs?: number;
  duplicateWebhooks?: boolean;
  /** Where one sender's webhooks go instead of the API (a test's black hole, say). */
  webhookBaseUrls?: Partial<Record<'payments' | 'carrier' | 'lightning', string>>;
}

export interface RunningSimulators {
  urls: { payments: string; carrier: string; lightning: string };
  close(): Promise<void>;
}

/** The three stand-ins for the outside world, each calling back its own webhook route. */
export async function startSimulators(config: SimulatorsConfig): Promise<RunningSimulators> {
  const base = (sender: 'payments' | 'carrier' | 'lightning') =>
    (config.webhookBaseUrls?.[sender] ?? config.apiBaseUrl).replace(/\/+$/, '');
  const common = { webhookDelayMs: config.webhookDelayMs, duplicateWebhooks: config.duplicateWebhooks };
  const started: RunningSimulator[] = [];
  try {
    const payments = await startSimulator(
      createPaymentProviderSimulator({
        ...common,
        webhookUrl: `${base('payments')}/webhooks/payments`,
        webhookSecret: config.secrets.payments,
      }),
      config.ports.payments,
      config.hostname,
    );
    started.push(payments);
    const carrier = await startSimulator(
      createCarrierSimulator({ ...common, webhookUrl: `${base('carrier')}/webhooks/carrier`, webhookSecret: config.secrets.carrier }),
      config.ports.carrier,
      config.hostname,
    );
    started.push(carrier);
    const lightning = await startSimulator(
      createLightningNodeSimulator({
        ...common,
        webhookUrl: `${base('lightning')}/webhooks/lightning`,
        webhookSecret: config.secrets.lightning,
      }),
      config.ports.lightning,
      config.hostname,
    );
    started.push(lightning);
    return {
      urls: { payments: payments.url, carrier: carrier.url, lightning: lightning.url },
      close: () => closeAll(started),
    };
  } catch (error) {
    // A port already taken must not leave the others listening.
    await closeAll(started);
    throw error;
  }
}

async function closeAll(running: RunningSimulator[]): Promise<void> {
  await Promise.all(running.map((simulator) => simulator.close()));
}
