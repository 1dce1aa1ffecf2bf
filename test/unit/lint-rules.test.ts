/**
 * The lint rules of `npm run lint` bite: dependency-cruiser with the project's own
 * .dependency-cruiser.cjs on a fixture tree that breaks each import rule once (and keeps
 * the allowed imports once), and ESLint with eslint.config.js on a handler with `any`.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { cruise, type IConfiguration, type ICruiseResult } from 'dependency-cruiser';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/lint/', import.meta.url));
const config = createRequire(import.meta.url)('../../.dependency-cruiser.cjs') as IConfiguration;

describe('import rules (dependency-cruiser)', () => {
  it('reports each broken rule of the fixture, and nothing the rules allow', async () => {
    const { output } = await cruise(['workflows', 'src', 'activities'], {
      ...config.options,
      baseDir: fixture,
      validate: true,
      ruleSet: { forbidden: config.forbidden ?? [] },
    });
    const violations = (output as ICruiseResult).summary.violations
      .map((v) => `${v.rule.name}: ${v.from} → ${v.to.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+)\/.*$/, 'package $1')}`)
      .sort();
    expect(violations).toEqual([
      'domain-no-infrastructure: src/orders/domain.ts → package pg',
      'domain-no-infrastructure: src/orders/domain.ts → src/platform/db.ts',
      'src-import-direction: src/orders/use-cases.ts → activities/orders.ts',
      'workflow-no-node-builtins: workflows/bad.ts → fs', // node:fs
      'workflow-no-runtime-activities: workflows/bad.ts → activities/orders.ts',
      'workflow-runtime-src-only-kernel: workflows/bad.ts → src/orders/use-cases.ts',
    ]);
  });
});

describe('no `any` in message handlers (ESLint)', () => {
  const eslint = new ESLint({ cwd: root });
  const code = 'export function onMessage(message: any, headers: Record<string, any>): unknown {\n  return [message, headers];\n}\n';

  it('reports each `any` in src/*/handlers.ts', async () => {
    const [result] = await eslint.lintText(code, { filePath: 'src/orders/handlers.ts' });
    expect(result!.messages.map((m) => `${m.ruleId}@${m.line}:${m.column}`)).toEqual([
      '@typescript-eslint/no-explicit-any@1:36',
      '@typescript-eslint/no-explicit-any@1:65',
    ]);
  });

  it('leaves other files alone', async () => {
    const results = await eslint.lintText(code, { filePath: 'src/orders/use-cases.ts', warnIgnored: false });
    expect(results.flatMap((r) => r.messages)).toEqual([]);
  });
});
