import { NativeConnection, Worker } from '@temporalio/worker';
import { unscrapedSagaMetricsSinks } from '../../src/platform/temporal/saga-metrics.ts';

export interface WorkflowOnlyWorker {
  stop(): Promise<void>;
}

/**
 * A worker that runs workflow code and no activities, for the time of a fuzz. Sagas
 * still answer the `sagaState` query behind `GET /sagas/:workflowId`, while nothing they
 * do reaches Postgres: every saga step that touches state is an activity, and with no
 * activities registered the worker does not poll for them. So every route stays healthy
 * and only the fuzz's own requests change the state, which makes a refused request's
 * footprint exact.
 */
export async function startWorkflowOnlyWorker(options: {
  address: string;
  namespace: string;
  taskQueue: string;
  workflowBundlePath: string;
}): Promise<WorkflowOnlyWorker> {
  const connection = await NativeConnection.connect({ address: options.address });
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle: { codePath: options.workflowBundlePath },
    sinks: unscrapedSagaMetricsSinks(),
  });
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
