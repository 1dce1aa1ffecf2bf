/**
 * The architecture's import rules, checked by `npm run lint` (and so by `npm test`).
 * With `tsPreCompilationDeps: true` an `import type` shows as a 'type-only' dependency,
 * which the run-time-only rules let through: it is erased before anything runs, so it
 * puts nothing into the workflow bundle or a dependency between layers at run time.
 * test/unit/lint-rules.test.ts proves the rules bite, on test/unit/fixtures/lint/.
 */

/** Code that runs in the workflow sandbox: the production workflows and the bench worker's baseline workflow. */
const WORKFLOW_CODE = '^(bench/)?workflows/';

/** Packages that are infrastructure: the domain must not know them (resolved, or by bare name). */
const INFRASTRUCTURE = '(pg|pino|hono|@hono/[^/]+|@temporalio/[^/]+)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'workflow-no-node-builtins',
      comment:
        'Workflow code runs in the deterministic workflow sandbox: no Node built-ins (node:fs, path, crypto, …), ' +
        'not even as types. Do I/O in an activity.',
      severity: 'error',
      from: { path: WORKFLOW_CODE },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'workflow-runtime-src-only-kernel',
      comment:
        'At run time workflow code may use only the pure kernel (src/kernel/) from src/; ' +
        'anything else from src/ only as `import type`.',
      severity: 'error',
      from: { path: WORKFLOW_CODE },
      to: { path: '^src/', pathNot: '^src/kernel/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'workflow-no-runtime-activities',
      comment: 'Workflows call activities through proxyActivities; import their types only (`import type`).',
      severity: 'error',
      from: { path: WORKFLOW_CODE },
      to: { path: '^activities/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'src-import-direction',
      comment:
        'Application code must not depend on activities/, the worker, benchmarks, chaos or tests. ' +
        'The entry points in src/main/ compose the processes (the dev launcher runs the worker in-process), so they may use worker.ts.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/main/' },
      to: { path: '^(activities/|worker\\.ts$|bench/|chaos/|test/)' },
    },
    {
      name: 'workflow-import-direction',
      comment: 'Workflow code must not depend on benchmarks, chaos or tests.',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: '^(bench|chaos|test)/' },
    },
    {
      name: 'domain-no-infrastructure',
      comment:
        'Domain files (src/*/domain.ts, src/kernel/) stay pure: no src/platform/ and no infrastructure package ' +
        '(pg, hono, @temporalio/*, pino).',
      severity: 'error',
      from: { path: '^src/([^/]+/domain\\.ts$|kernel/)' },
      to: { path: `^src/platform/|(^|/)node_modules/(@types/)?${INFRASTRUCTURE}/|^${INFRASTRUCTURE}$` },
    },
  ],
  options: {
    // Packages are leaves (not excluded: the domain rule has to see imports of them).
    doNotFollow: { path: '(^|/)node_modules/' },
    exclude: { path: '^test/unit/fixtures/' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
