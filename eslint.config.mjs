// ESLint flat config: typescript-eslint with type information, so no-floating-promises can see promises.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'bin/**', 'scripts/**', '.test-output/**', 'runs/**', '**/*.mjs', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'Only src/extension may import vscode.' }] }],
    },
  },
  // The rooms (docs/architecture.md): src/common imports nothing outside itself; the language server
  // and the webview import only src/common; the engine and the extension never import each other.
  {
    files: ['src/common/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['../*', '../**', 'vscode'], message: 'src/common imports nothing outside src/common.' }] }],
    },
  },
  {
    files: ['src/server/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['vscode'], patterns: [{ group: ['**/engine/**', '**/extension/**', '**/webview-ui/**'], message: 'The language server imports only src/server and src/common.' }] }],
    },
  },
  {
    files: ['webview-ui/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['vscode'], patterns: [{ group: ['**/src/engine/**', '**/src/server/**', '**/src/extension/**'], message: 'The webview imports only webview-ui and src/common.' }] }],
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      // The report command renders the dashboard's page (webview-ui/page.ts) and nothing else of it.
      'no-restricted-imports': ['error', { paths: ['vscode'], patterns: [{ group: ['**/extension/**', '**/webview-ui/**', '!**/webview-ui/page'], message: 'The engine imports neither the extension nor the webview (except its page).' }] }],
    },
  },
  {
    files: ['src/extension/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/engine/**'], message: 'The extension runs the engine as a process (orpo-lab), it does not import it.' }] }],
    },
  },
);
