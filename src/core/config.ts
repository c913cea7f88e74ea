// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The one configuration schema of every headless node role. Values come from a JSON file, then
 * `NSN_*` environment variables, then command-line flags (later wins), and are validated at start
 * with errors that name the field.
 */
import { z } from 'zod'
import { InvalidInputError } from './errors.ts'

const multiaddr = z.string().regex(/^\/(ip4|ip6|dns|dns4|dns6|p2p-circuit|webrtc|p2p)(\/|$)/, 'must be a multiaddr such as /ip4/127.0.0.1/tcp/9090')
const hexKey = z.string().regex(/^[0-9a-f]{64}$/, 'must be a 32-byte key in lowercase hex')
const port = z.number().int().min(0).max(65535)

export const ROLES = ['bootstrap', 'director', 'viewer'] as const
export type Role = typeof ROLES[number]

export const nodeConfigSchema = z.object({
  role: z.enum(ROLES),
  /** Folder holding the peer identity and session key (created 0700). */
  data: z.string().min(1),
  channel: z.string().regex(/^[a-z0-9._-]{1,64}$/, 'must be 1-64 characters of a-z 0-9 . _ -').default('test'),
  listen: z.array(multiaddr).optional(),
  announce: z.array(multiaddr).default([]),
  bootstrap: z.array(multiaddr).default([]),
  /** Bootstrap role: relay and DHT only, never on video topics. */
  relayOnly: z.boolean().default(false),
  /** Allowed producer session keys (until chain elections). A director always allows its own. */
  producers: z.array(hexKey).default([]),
  /** 'announce' gossips headers and pulls payloads; 'push' is plain gossipsub (baseline). */
  mode: z.enum(['announce', 'push']).default('announce'),
  meshDegree: z.number().int().min(2).max(16).default(6),
  statusHost: z.string().default('127.0.0.1'),
  /** Status/metrics HTTP port; 0 picks a free one. */
  statusPort: port.default(0),
  /** Keep private/loopback addresses in the DHT and discovery (local networks). */
  localNetwork: z.boolean().default(true),
  // Director media source (test source until Lane-0 generation)
  input: z.string().optional(),
  width: z.number().int().min(64).max(3840).default(640),
  height: z.number().int().min(64).max(2160).default(360),
  fps: z.number().int().min(1).max(60).default(24),
  segmentMs: z.number().int().min(1000).max(2000).default(1000),
  videoBitrateKbps: z.number().int().min(50).max(20000).default(800),
  toneHz: z.number().min(20).max(20000).default(440)
}).strict()

export type NodeConfig = z.infer<typeof nodeConfigSchema>
export type NodeConfigInput = z.input<typeof nodeConfigSchema>

/** Validates a merged configuration; throws `InvalidInputError` naming the first bad field. */
export function parseNodeConfig (input: unknown): NodeConfig {
  const result = nodeConfigSchema.safeParse(input)
  if (result.success) return result.data
  const issues = result.error.issues.map(i => `${i.path.join('.') || '(root)'}: ${i.message}`)
  const field = result.error.issues[0]?.path.join('.')
  throw new InvalidInputError(`Invalid configuration: ${issues.join('; ')}`, { field })
}

/** Reads `NSN_<FIELD>` variables (e.g. NSN_CHANNEL, NSN_STATUS_PORT, NSN_BOOTSTRAP=a,b). */
export function configFromEnv (env: Record<string, string | undefined>): Partial<NodeConfigInput> {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(nodeConfigSchema.shape)) {
    const name = 'NSN_' + key.replace(/[A-Z]/g, c => '_' + c).toUpperCase()
    const raw = env[name]
    if (raw == null || raw === '') continue
    const shape = nodeConfigSchema.shape[key as keyof typeof nodeConfigSchema.shape]
    out[key] = coerce(raw, shape)
  }
  return out as Partial<NodeConfigInput>
}

function coerce (raw: string, shape: z.ZodType): unknown {
  const inner = unwrap(shape)
  if (inner instanceof z.ZodNumber) return Number(raw)
  if (inner instanceof z.ZodBoolean) return raw === '1' || raw.toLowerCase() === 'true'
  if (inner instanceof z.ZodArray) return raw.split(',').map(s => s.trim()).filter(Boolean)
  return raw
}

function unwrap (shape: z.ZodType): z.ZodType {
  let s: z.ZodType = shape
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType
  return s
}
