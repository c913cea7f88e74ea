// SPDX-License-Identifier: GPL-3.0-or-later
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const platformGlobals = ['window', 'document', 'self', 'navigator', 'location', 'postMessage', 'process', 'Buffer',
  'localStorage', 'sessionStorage', 'indexedDB', 'require', '__dirname', '__filename', 'global']

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '.nsn/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off'
    }
  },
  {
    // src/core is platform-free: it runs in the page, in workers and in Node (DESIGN.md).
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/**/*.spec.ts'],
    languageOptions: { globals: { ...globals.es2022 } },
    rules: {
      'no-restricted-globals': ['error', ...platformGlobals],
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*'], message: 'src/core must not import Node built-ins: inject them from src/platform/node.' },
          { group: ['react', 'react-dom', 'react/*', 'react-dom/*'], message: 'src/core holds no React.' },
          { group: ['**/platform/**', '**/app/**', '**/ui/**'], message: 'src/core depends only on src/core.' },
          { group: ['@libp2p/tcp', '@libp2p/websockets', '@libp2p/webrtc', '@libp2p/webtransport', 'ws', 'fs', 'path', 'child_process', 'os', 'crypto'], message: 'transports and platform modules are injected from src/platform.' }
        ]
      }]
    }
  },
  {
    files: ['src/platform/**/*.ts', 'src/platform/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/app/**', '**/ui/**'], message: 'platform depends only on core.' }] }]
    }
  }
)
