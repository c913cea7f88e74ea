// SPDX-License-Identifier: GPL-3.0-or-later
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

// libp2p ships ES2022 ESM (top-level await, bigint, class fields): keep that target for the app
// and for the dev-server dependency pre-bundle, so nothing is down-levelled.
export default defineConfig({
  plugins: [react()],
  build: {
    target: 'es2022',
    sourcemap: true
  },
  // Lane-0 stage workers are module workers (ES output keeps their code splitting and top-level await)
  worker: {
    format: 'es'
  },
  optimizeDeps: {
    rolldownOptions: { transform: { target: 'es2022' } }
  },
  server: {
    host: '127.0.0.1'
  },
  preview: {
    host: '127.0.0.1'
  }
})
