import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

/**
 * The workflow interceptors (saga metrics, trace propagation). They are part of the
 * workflow code: a bundle built beforehand must hold them, and a worker bundling at
 * start must be given them.
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [fileURLToPath(new URL('../../../workflows/interceptors.ts', import.meta.url))];

/** The bundler's chatter (webpack progress) stays out of the logs; its warnings and errors do not. */
const quietBundlerLogger = {
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string, meta?: unknown) => console.warn(message, meta ?? ''),
  error: (message: string, meta?: unknown) => console.error(message, meta ?? ''),
  log: () => {},
};

/**
 * Bundles the workflows once into `file`, for workers started with `WORKFLOW_BUNDLE`
 * pointing at it: a worker then starts in about a second instead of bundling (several
 * seconds of CPU) each time, which counts where workers are restarted often (tests, chaos).
 */
export async function writeWorkflowBundle(workflowsPath: string, file: string): Promise<string> {
  const bundle = await bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: quietBundlerLogger,
  });
  writeFileSync(file, bundle.code);
  return file;
}
