// Lint gate of `npm test`: typescript-eslint's type-aware recommended rules over the TypeScript
// tree (src, test, bench, examples, scripts), with the project's own conventions below.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/kernels/*Wasm.ts', 'bench/out/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Unused bindings prefixed with _ are deliberate (destructuring to drop a field).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // No Math.random in the library: every random choice takes a seed.
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Use createRandom(seed): every random choice takes a seed.' }],
    },
  },
  {
    files: ['test/**', 'bench/**', 'examples/**', 'scripts/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // tfjs code states tensor ranks with `as tf.Tensor4D`, as tfjs itself does; the rule would
    // have them as generic arguments of every op instead.
    files: ['src/models/tfjs/**', 'src/kernels/tfjs/**', 'test/models/**', 'test/conformance/**', 'test/kernels/**'],
    rules: { '@typescript-eslint/no-unnecessary-type-assertion': 'off' },
  },
);
