// Flat config: typescript-eslint's recommended rules plus the layering rules of DESIGN.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noNode = {
  patterns: [{ group: ['node:*'], message: 'Only src/cli and bin touch node:* (DESIGN.md, Layout).' }],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'traces/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [...noNode.patterns, { group: ['../*', '!./*'], message: 'src/core imports nothing.' }] },
      ],
    },
  },
  {
    files: ['parsers/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...noNode.patterns,
            {
              group: ['**/src/sim/**', '**/src/report/**', '**/src/cli/**'],
              message: 'parsers import only src/core.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/trace/**/*.ts', 'src/sim/**/*.ts', 'src/check/**/*.ts', 'src/cost/**/*.ts', 'src/synth/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...noNode.patterns,
            { group: ['**/report/**', '**/cli/**'], message: 'engine code does not import report or cli.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/report/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [...noNode.patterns, { group: ['**/cli/**'], message: 'renderers do not import cli.' }] },
      ],
    },
  },
  {
    // flags are the CLI's: the engine raises RequestError (src/core/errors.ts), src/cli turns it into a UsageError
    files: ['src/**/*.ts', 'parsers/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='UsageError']",
          message: 'UsageError is raised only in src/cli; throw RequestError from the engine.',
        },
      ],
    },
  },
  {
    files: ['bin/**/*.js', 'eslint.config.js', 'scripts/**/*.mjs', 'tools/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' } },
  },
);
