/**
 * The same API on Deno: `npm run api:deno` (needs DATABASE_URL and TEMPORAL_HTTP_ADDRESS).
 * `@temporalio/client` needs Node's gRPC, so here Temporal is reached through its HTTP
 * API with the fetch-only gateway. Everything else is the very same app.
 */
import { systemClock } from '../kernel/clock.ts';
import { devSecretsInUse, loadConfig } from '../platform/config/config.ts';
import { createPools } from '../platform/db/pools.ts';
import { createApp } from '../platform/http/app.ts';
import { createLogger } from '../platform/log.ts';
import { HttpWorkflowGateway } from '../platform/temporal/http-workflow-gateway.ts';
import { ROUTES } from './routes.ts';

declare const Deno: {
  env: { toObject(): Record<string, string> };
  serve(
    options: { port: number; hostname: string; onListen?: (addr: { port: number }) => void },
    handler: (request: Request) => Response | Promise<Response>,
  ): { shutdown(): Promise<void> };
  addSignalListener(signal: 'SIGINT' | 'SIGTERM', handler: () => void): void;
  exit(code: number): never;
};

const config = loadConfig(Deno.env.toObject());
const logger = createLogger('api-deno', config.LOG_LEVEL);
if (!config.DATABASE_URL || !config.TEMPORAL_HTTP_ADDRESS) {
  throw new Error("the Deno API needs DATABASE_URL and TEMPORAL_HTTP_ADDRESS (Temporal's HTTP API, e.g. 127.0.0.1:7243)");
}
for (const name of devSecretsInUse(config)) logger.warn(`${name} is the development default: set it in production`);

const pools = createPools(config.DATABASE_URL, { applicationName: 'api-deno' });
const workflows = new HttpWorkflowGateway(config.TEMPORAL_HTTP_ADDRESS, config.TEMPORAL_NAMESPACE);
const app = createApp({ config, pools, workflows, clock: systemClock, logger }, ROUTES);

const server = Deno.serve(
  { port: config.PORT, hostname: '0.0.0.0', onListen: ({ port }) => logger.info(`API (Deno) listening on http://localhost:${port}`) },
  app.fetch,
);

const stop = async () => {
  await server.shutdown();
  await pools.end();
  Deno.exit(0);
};
Deno.addSignalListener('SIGINT', stop);
Deno.addSignalListener('SIGTERM', stop);
