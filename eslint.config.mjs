// One lint configuration for the whole monorepo (each project's `lint` target runs it on its folder).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.nx/**', '.vendor/**', '.device/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // jest config files and Dawn's addon are CommonJS by necessity.
      '@typescript-eslint/no-require-imports': 'off',
      'no-console': 'off',
    },
  },
);
