// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Node worker_threads entry (wiring only): serves one Lane-0 stage over the parent port, so speech and
 * keyframe run in parallel threads. `workerData.stage` is `speech` or `keyframe`.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { ProceduralKeyframeStage } from '../src/core/lane0/keyframe-procedural.ts'
import { serveStage } from '../src/core/rpc/stage.ts'
import { nodeEspeakSpeech } from '../src/platform/node/espeak.ts'
import { nodeMessagePort } from '../src/platform/node/worker-port.ts'

const which = (workerData as { stage: string }).stage
if (parentPort == null) throw new Error('lane0-stage.node.ts must run as a worker')
if (which === 'speech') serveStage(nodeMessagePort(parentPort), nodeEspeakSpeech())
else if (which === 'keyframe') serveStage(nodeMessagePort(parentPort), new ProceduralKeyframeStage())
else throw new Error(`unknown stage ${which}`)
