// `npm run lint` (and the lint suite of `npm test`): typescript-eslint's type-aware recommended rules.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'test-output/', '.vscode-test/', 'server-agent/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's test() and describe() return promises that the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }],
      }],
      // The code marks index reads with `!` as if noUncheckedIndexedAccess were on; that is deliberate.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Dropping `async` from a method that implements a Promise-returning interface turns its throws
      // into synchronous ones: not a fix.
      '@typescript-eslint/require-await': 'off',
      // As tsc's noUnusedLocals: a rest sibling or a `_` name is left out on purpose.
      '@typescript-eslint/no-unused-vars': ['error', {
        ignoreRestSiblings: true, argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_',
      }],
    },
  },
  // Tests and benchmarks read untyped JSON (frames, page state, OTLP bodies) and assert on its fields.
  {
    files: ['test/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  // The scripts and the bin stub are plain JavaScript outside the tsconfig: no type information for them.
  { files: ['**/*.{js,mjs,cjs}'], extends: [tseslint.configs.disableTypeChecked] },
  { files: ['bin/*.js'], languageOptions: { sourceType: 'commonjs' }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
);
