import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// core/ stays pure: no SDK, CDK, middy or Lambda imports, so it can be tested and reused on its own.
const coreBoundary = {
  files: ['core/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: [
              '@aws-sdk/*',
              'aws-cdk-lib',
              'aws-cdk-lib/*',
              'constructs',
              '@middy/*',
              '@aws-lambda-powertools/*',
            ],
            message: 'core/ is pure: use a port from core/ports.ts',
          },
          {
            group: [
              '../../adapters/*',
              '../adapters/*',
              '../../functions/*',
              '../../lib/*',
              '../../cli/*',
              '../../local/*',
            ],
            message: 'core/ imports nothing of ours outside core',
          },
        ],
      },
    ],
    'no-restricted-properties': [
      'error',
      { object: 'process', property: 'env', message: 'read the environment at the edge, through a schema' },
    ],
  },
};

// lib/ (infrastructure) reaches into core only for contracts: table keys, env names.
const libBoundary = {
  files: ['lib/**/*.ts', 'bin/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: [
              '../core/*',
              '../../core/*',
              '!../core/contracts',
              '!../core/contracts/*',
              '!../../core/contracts',
              '!../../core/contracts/*',
            ],
            message: 'lib/ imports core/contracts only',
          },
        ],
      },
    ],
  },
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  coreBoundary,
  libBoundary,
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    // Tests load handlers with require() after setting the environment they read at load, as Lambda does.
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
);
