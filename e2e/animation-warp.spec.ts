// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The animation warp's WebGPU shader in Debian Chromium (WebGPU on SwiftShader) against the CPU
 * reference computed in the same page: every channel within one rounding step.
 */
import { createServer } from 'node:http'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { build } from 'esbuild'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

test.use({ launchOptions: { executablePath: '/usr/bin/chromium', args: ['--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] } })

let server: Server
let url: string

test.beforeAll(async () => {
  const bundle = await build({ entryPoints: [join(import.meta.dirname, 'harness/warp-entry.ts')], bundle: true, format: 'iife', write: false, platform: 'browser', target: 'es2022' })
  const js = bundle.outputFiles[0]!.text
  server = createServer((req, res) => {
    if (req.url === '/warp.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(js)
      return
    }
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>warp</title><script src="/warp.js"></script>')
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
})
test.afterAll(async () => { await new Promise(resolve => server?.close(resolve)) })

test('should render the warp on WebGPU in Chromium within one step of the CPU reference', async ({ page }) => {
  await page.goto(url)
  const results = await page.evaluate(async () => {
    const w = (window as unknown as { nsnWarp: any }).nsnWarp // eslint-disable-line @typescript-eslint/no-explicit-any
    const adapter = await navigator.gpu.requestAdapter()
    if (adapter == null) throw new Error('no WebGPU adapter')
    const info = adapter.info
    const device = await adapter.requestDevice()
    const { image, rig } = w.testCard(160)
    const warper = new w.GpuWarper(device, image)
    const frames = [
      { mouthOpen: 1, blink: 0, roll: 0, shiftX: 0, shiftY: 0 },
      { mouthOpen: 0.35, blink: 0.6, roll: 0.03, shiftX: 1.5, shiftY: -0.75 },
      { mouthOpen: 0.8, blink: 1, roll: -0.05, shiftX: -2.25, shiftY: 1 }
    ]
    const out = []
    for (const params of frames) {
      const cpu = w.warpFrameCpu(image, rig, params)
      const gpu = await warper.frame(rig, params)
      let max = 0
      let off = 0
      let changed = 0
      for (let i = 0; i < cpu.data.length; i++) {
        const d = Math.abs(cpu.data[i] - gpu.data[i])
        if (d > max) max = d
        if (d > 0) off++
        if (gpu.data[i] !== image.data[i]) changed++
      }
      out.push({ max, off, changed, total: cpu.data.length })
    }
    warper.destroy()
    device.destroy()
    return { adapter: `${info.vendor} ${info.architecture} ${info.description}`, out }
  })
  console.log(`Chromium WebGPU adapter: ${results.adapter}; ${JSON.stringify(results.out)}`)
  for (const r of results.out) {
    expect(r.changed).toBeGreaterThan(0)
    expect(r.max).toBeLessThanOrEqual(1)
    expect(r.off / r.total).toBeLessThan(0.001)
  }
})
