// ESLint checks only what dependency-cruiser (.dependency-cruiser.cjs) cannot see. `npm run lint` runs both.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // No `any` in the outbox message handlers (src/*/handlers.ts), where a message's shape
    // is the contract between contexts. Also catches Record<string, any>.
    files: ['src/*/handlers.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-explicit-any': ['error', { fixToUnknown: false, ignoreRestArgs: false }],
    },
  },
  {
    // With verbatimModuleSyntax, `import { type X } from '…'` stays in the output as
    // `import '…'`: a run-time import dependency-cruiser counts as type-only. Workflow code
    // writes `import type { X }` instead, so the sandbox never loads what it only names.
    files: ['workflows/**/*.ts', 'bench/workflows/**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-import-type-side-effects': 'error',
    },
  },
);
