/**
 * The outbox relay process: moves committed events from the outbox to the bus.
 * `npm run relay` (needs DATABASE_URL); `npm run dev` runs it in-process.
 */
import { loadConfig, type Config } from '../platform/config/config.ts';
import { GrpcWorkflowGateway } from '../platform/temporal/grpc-workflow-gateway.ts';
import type { WorkflowGateway } from '../platform/temporal/workflow-gateway.ts';
import { OutboxRelay } from '../platform/db/outbox-relay.ts';
import { createPools, type Pools } from '../platform/db/pools.ts';
import { createLogger, type Logger } from '../platform/log.ts';
import { pickUpPendingFulfilments } from '../fulfilment/pickup.ts';
import { createBus } from './bus.ts';
import { onShutdown } from './shutdown.ts';
import { runMain } from './run-main.ts';

export async function startRelay(deps: { pools: Pools; logger: Logger; workflows: WorkflowGateway; config: Config }): Promise<OutboxRelay> {
  const bus = createBus(deps);
  const relay = new OutboxRelay({ pool: deps.pools.write, logger: deps.logger, dispatch: (message) => bus.dispatch(message) });
  await relay.start();
  const pickedUp = await pickUpPendingFulfilments(deps.pools.write, deps.workflows, deps.config.TEMPORAL_TASK_QUEUE);
  if (pickedUp > 0) deps.logger.info({ pickedUp }, 'started fulfilment sagas for hand-overs left before they existed');
  return relay;
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger('relay', config.LOG_LEVEL);
  if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) {
    throw new Error('the relay alone needs DATABASE_URL and TEMPORAL_ADDRESS; `npm run dev` starts everything with embedded defaults');
  }
  const pools = createPools(config.DATABASE_URL, { applicationName: 'relay' });
  const workflows = await GrpcWorkflowGateway.connect(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
  const relay = await startRelay({ pools, logger, workflows, config });
  logger.info('outbox relay running');
  onShutdown(async () => {
    await relay.stop();
    await workflows.close();
    await pools.end();
  });
}

runMain(import.meta.url, main);
