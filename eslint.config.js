import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'dist-dev/**',
      'node_modules/**',
      'charts/**/templates/**',
      '.demo/**',
      'coverage/**',
      '.scratch*/**',
      'test-output/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Tests walk parsed YAML/JSON documents whose shape they assert on.
    files: ['**/*.test.ts', '**/*.itest.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
