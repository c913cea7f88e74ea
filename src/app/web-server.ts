// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Serves the PWA with Vite: the dev server for `npm start`, or the production build (`vite preview`)
 * for e2e tests and benchmarks. Either way `/nsn-config.json` answers with the devnet's page config.
 */
import { build, createServer, preview } from 'vite'
import type { Plugin, ViteDevServer, PreviewServer } from 'vite'
import type { AddressInfo } from 'node:net'

export interface WebServer {
  url: string
  close(): Promise<void>
}

function configPlugin (config: () => Record<string, unknown>): Plugin {
  const handler = (req: { url?: string }, res: { setHeader(k: string, v: string): void, end(body: string): void }, next: () => void): void => {
    if ((req.url ?? '').split('?')[0] !== '/nsn-config.json') { next(); return }
    res.setHeader('content-type', 'application/json')
    res.setHeader('cache-control', 'no-store')
    res.end(JSON.stringify(config()))
  }
  return {
    name: 'nsn-config',
    configureServer (server) { server.middlewares.use(handler) },
    configurePreviewServer (server) { server.middlewares.use(handler) }
  }
}

function urlOf (server: ViteDevServer | PreviewServer): string {
  const addr = server.httpServer?.address() as AddressInfo | null
  if (addr == null) throw new Error('web server has no address')
  return `http://127.0.0.1:${addr.port}/`
}

export interface WebServerInit {
  /** 'dev': Vite dev server with HMR; 'preview': serve `dist/` (built first when `build` is true). */
  mode: 'dev' | 'preview'
  port?: number
  host?: string
  build?: boolean
  config: () => Record<string, unknown>
}

export async function startWebServer (init: WebServerInit): Promise<WebServer> {
  const host = init.host ?? '127.0.0.1'
  const plugins = [configPlugin(init.config)]
  if (init.mode === 'dev') {
    const server = await createServer({ plugins, server: { host, port: init.port ?? 5173, strictPort: init.port != null }, logLevel: 'warn', clearScreen: false })
    await server.listen()
    return { url: urlOf(server), close: async () => server.close() }
  }
  if (init.build === true) await build({ logLevel: 'warn' })
  const server = await preview({ plugins, preview: { host, port: init.port ?? 0, strictPort: init.port != null && init.port !== 0 }, logLevel: 'warn' })
  return {
    url: urlOf(server),
    close: async () => server.close()
  }
}
