/**
 * `npm run simulators`: the payment provider, carrier and lightning node stand-ins on
 * their ports, sending signed webhooks to the API at API_BASE_URL (default
 * http://127.0.0.1:PORT). `npm run dev` starts them in-process instead.
 */
import { loadConfig } from '../platform/config/config.ts';
import { startSimulators } from '../simulators/start-all.ts';
import { runMain } from './run-main.ts';
import { onShutdown } from './shutdown.ts';

runMain(import.meta.url, async () => {
  const config = loadConfig(process.env);
  const apiBaseUrl = process.env.API_BASE_URL ?? `http://127.0.0.1:${config.PORT}`;
  const simulators = await startSimulators({
    apiBaseUrl,
    hostname: '0.0.0.0',
    ports: { payments: config.PAYMENTS_SIM_PORT, carrier: config.CARRIER_SIM_PORT, lightning: config.LIGHTNING_SIM_PORT },
    secrets: {
      payments: config.PAYMENTS_WEBHOOK_SECRET,
      carrier: config.CARRIER_WEBHOOK_SECRET,
      lightning: config.LIGHTNING_WEBHOOK_SECRET,
    },
  });
  console.log(`simulators: ${JSON.stringify(simulators.urls)} → webhooks to ${apiBaseUrl}`);
  onShutdown(() => simulators.close());
});
