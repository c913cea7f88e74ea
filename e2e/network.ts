// SPDX-License-Identifier: GPL-3.0-or-later
/** e2e helpers: a real local network (nsn-node processes) and the built PWA served by Vite preview. */
import '../bin/polyfill.js'
import { startDevnet } from '../src/app/devnet.ts'
import { startWebServer } from '../src/app/web-server.ts'
import type { Devnet, DevnetInit } from '../src/app/devnet.ts'
import type { WebServer } from '../src/app/web-server.ts'
import type { Page } from '@playwright/test'

export interface TestNetwork {
  devnet: Devnet
  web: WebServer
  stop(): Promise<void>
}

let built = false

export async function startNetwork (init: DevnetInit = {}): Promise<TestNetwork> {
  const devnet = await startDevnet({ directorArgs: ['--width', '480', '--height', '270'], ...init })
  try {
    const web = await startWebServer({ mode: 'preview', build: !built, port: 0, config: () => devnet.webConfig })
    built = true
    return { devnet, web, stop: async () => { await Promise.allSettled([web.close(), devnet.stop()]) } }
  } catch (err) {
    await devnet.stop()
    throw err
  }
}

/** Resolves once the page's player has started playing, and returns its state. */
export async function waitForPlaying (page: Page, timeoutMs = 30_000): Promise<void> {
  await page.waitForFunction(() => window.__nsn?.player.stats().state === 'playing' &&
    (document.querySelector('video')?.getVideoPlaybackQuality().totalVideoFrames ?? 0) > 0, undefined, { timeout: timeoutMs, polling: 100 })
}

export async function totalFrames (page: Page): Promise<number> {
  return page.evaluate(() => document.querySelector('video')?.getVideoPlaybackQuality().totalVideoFrames ?? 0)
}

/** A PNG of the burnt-in clock region of the video (the big HH:MM:SS box in the centre). */
export async function clockShot (page: Page): Promise<Buffer> {
  const box = await page.locator('video').boundingBox()
  if (box == null) throw new Error('no video element')
  return page.screenshot({ clip: { x: box.x + box.width * 0.22, y: box.y + box.height * 0.38, width: box.width * 0.56, height: box.height * 0.24 } })
}

export const NETNS = process.env.NSN_E2E_NETNS ?? ''
