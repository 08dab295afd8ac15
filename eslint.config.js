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
    // mcp/ uses the operator through one door (operator/public-api.ts); tests may reach internals.
    files: ['mcp/**/*.ts'],
    ignores: ['**/*.test.ts', '**/*.itest.ts', '**/__fixtures__/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)operator/(?!public-api\\.js$)',
              message: 'mcp/ imports the operator only through operator/public-api.ts',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests walk parsed YAML/JSON documents whose shape they assert on.
    files: ['**/*.test.ts', '**/*.itest.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
