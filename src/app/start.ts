// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `npm start`: the local network (bootstrap/relay, one director publishing the test channel, one
 * headless viewer proving the path) and the web app. Prints `NSN devnet ready: <url>` once a viewer
 * can play, and stops everything on Ctrl-C.
 */
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { startDevchainProcess, startDevnet } from './devnet.ts'
import { startWebServer } from './web-server.ts'

const HELP = `usage: npm start [-- options]

Starts the NSN dev network and the web app on 127.0.0.1.
  --web-port <n>     web app port (default 5173)
  --data <dir>       data folder for node keys (default .nsn/devnet)
  --preview          serve the production build instead of the Vite dev server
  --verbose          print the nodes' logs
  -h, --help         this help

Ports: dev chain RPC 9944; bootstrap TCP 9090, WebSocket 9091, WebRTC-direct 9092 (UDP); web 5173.`

async function main (): Promise<void> {
  const { values } = parseArgs({
    options: {
      'web-port': { type: 'string', default: '5173' },
      data: { type: 'string', default: '.nsn/devnet' },
      preview: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    }
  })
  if (values.help) { console.log(HELP); return }
  const log = values.verbose ? (line: string) => { console.log(line) } : undefined
  console.log('[start] starting the dev chain…')
  const chain = await startDevchainProcess({ port: 9944, dataDir: resolve(values.data, 'chain'), log })
  console.log(`[start] dev chain at ${chain.wsUrl} (dev accounts //Alice … //Ferdie)`)
  console.log('[start] starting bootstrap, director (test source) and a headless viewer…')
  const devnet = await startDevnet({
    dataDir: resolve(values.data),
    ports: { tcp: 9090, ws: 9091, webrtcDirect: 9092 },
    viewers: 1,
    log
  }).catch(async (err: unknown) => { await chain.stop(); throw err })
  console.log(`[start] director publishing channel "${devnet.channel}" with session key ${devnet.producerKey}`)
  const web = await startWebServer({ mode: values.preview ? 'preview' : 'dev', build: values.preview, port: Number(values['web-port']), config: () => ({ ...devnet.webConfig, chain: chain.wsUrl }) })
  let stopping = false
  const stop = async (): Promise<void> => {
    if (stopping) return
    stopping = true
    console.log('\n[start] stopping…')
    await Promise.allSettled([web.close(), devnet.stop(), chain.stop()])
    process.exit(0)
  }
  process.on('SIGINT', () => { void stop() })
  process.on('SIGTERM', () => { void stop() })
  for (const p of [chain, devnet.bootstrap, devnet.director, ...devnet.viewers]) {
    p.child.on('exit', (code) => {
      if (!stopping) {
        console.error(`[start] ${p.name} exited (${code}):\n${p.tail()}`)
        void stop()
      }
    })
  }
  console.log(`NSN devnet ready: ${web.url}`)
}

main().catch(err => {
  console.error(`[start] failed: ${(err as Error).message}`)
  process.exit(1)
})
