// SPDX-License-Identifier: GPL-3.0-or-later
/** Bundled by e2e/animation-warp.spec.ts for the page: the warp and the test card, on `window.nsnWarp`. */
import { GpuWarper, warpFrameCpu } from '../../src/core/lane0/animation-warp.ts'
import { testCard } from '../../test/utils/warp-test-card.ts'

Object.assign(globalThis, { nsnWarp: { GpuWarper, warpFrameCpu, testCard } })
