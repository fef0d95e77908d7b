// ESLint 9 flat config: @eslint/js and typescript-eslint recommended, plus the few type-aware rules that catch
// real bugs in async code (a promise nobody awaits or catches, a thrown or rejected non-Error). Not the whole
// type-checked set: its no-unsafe-* rules flag every use of parsed JSON and config values (~700 hits, mostly in
// tests) without finding bugs; `npm run typecheck` covers types. The type-aware rules make a full lint take
// about 30 s on 2 cores. eslint-config-prettier comes last so that no stylistic rule fights Prettier.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', 'coverage/**', 'bench/results/**', 'apps/api/test/artifacts/**', 'TEMP/**', 'OUT/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      // As only-throw-error does by default: passing on a caught `any`/`unknown` is fine, a string or number is not.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      // `_`-prefixed names say "unused on purpose" (interface-shaped parameters, destructuring to omit a key).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrors: 'all',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    // Tests, their support code and the benchmark poke at internals, fake wire payloads and read JSON by path.
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/*.live-spec.ts', '**/*.soak-spec.ts', 'test/**/*.ts', '**/test/**/*.ts', '**/testing/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      // Tests match terminal output, ANSI escapes included.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', __dirname: 'readonly', process: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
