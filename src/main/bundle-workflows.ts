/**
 * Bundles the workflows (and their interceptors) into the file named by the first
 * argument. The worker runs this as a child process when it is not given a bundle:
 * webpack's working memory then dies with the child instead of staying in the worker's
 * heap for its whole life (about 120 MB of RSS on this machine, bench/memory.ts).
 */
import { writeWorkflowBundle } from '../platform/temporal/workflow-bundle.ts';
import { WORKFLOWS_PATH } from '../../worker.ts';
import { runMain } from './run-main.ts';

runMain(import.meta.url, async () => {
  const file = process.argv[2];
  if (!file) throw new Error('usage: bundle-workflows.ts <output file>');
  await writeWorkflowBundle(WORKFLOWS_PATH, file);
});
