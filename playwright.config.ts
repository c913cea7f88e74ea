// SPDX-License-Identifier: GPL-3.0-or-later
import { defineConfig } from '@playwright/test'

export default defineConfig({
  testDir: 'e2e',
  timeout: 180_000,
  expect: { timeout: 30_000 },
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ?? 'test-results/playwright.json' }]],
  outputDir: 'test-results/e2e',
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless=new', '--no-sandbox', '--autoplay-policy=no-user-gesture-required',
        '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
        // WebRTC host candidates must be real addresses (198.18.0.1 in the test namespace), not mDNS names
        '--disable-features=WebRtcHideLocalIpsWithMdns'
      ]
    },
    viewport: { width: 1280, height: 800 }
  }
})
