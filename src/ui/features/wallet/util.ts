// SPDX-License-Identifier: GPL-3.0-or-later
/** Pure helpers of the wallet page: amounts, slots, error texts. */
import type { ChainEvent } from '../../../core/chain/index.ts'

/** Blocks per slot in the dev timing profile (DESIGN.md "Dev timing profile"). */
export const BLOCKS_PER_SLOT = 10

/** Thrown by {@link parseAmount} with a message fit to show next to the field. */
export class AmountFormatError extends Error {
  static override name = 'AmountFormatError'
  constructor (message: string) {
    super(message)
    this.name = 'AmountFormatError'
  }
}

/**
 * Parses a decimal token amount ("100", "0.5", "1,000.25") into base units.
 *
 * @throws AmountFormatError for anything else, or more fraction digits than `decimals`
 */
export function parseAmount (text: string, decimals: number): bigint {
  const t = text.trim().replace(/[,_\s]/g, '')
  const m = /^(\d*)(?:\.(\d*))?$/.exec(t)
  if (t === '' || t === '.' || m == null) throw new AmountFormatError('Enter an amount such as 12.5')
  const whole = m[1] ?? ''
  const frac = m[2] ?? ''
  if (frac.length > decimals) throw new AmountFormatError(`At most ${decimals} decimal places`)
  return BigInt(whole === '' ? '0' : whole) * 10n ** BigInt(decimals) + BigInt(frac.padEnd(decimals, '0') === '' ? '0' : frac.padEnd(decimals, '0'))
}

/** Formats base units as a decimal amount with the symbol: `1234500000000000n, 12, 'NSN'` → "1,234.5 NSN". */
export function formatAmount (value: bigint, decimals: number, symbol?: string): string {
  const neg = value < 0n
  const abs = neg ? -value : value
  const base = 10n ** BigInt(decimals)
  const whole = (abs / base).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  const frac = decimals > 0 ? (abs % base).toString().padStart(decimals, '0').replace(/0+$/, '') : ''
  const text = `${neg ? '-' : ''}${whole}${frac !== '' ? `.${frac}` : ''}`
  return symbol != null && symbol !== '' ? `${text} ${symbol}` : text
}

/** The slot of a block in the dev profile. */
export function slotOf (block: number, blocksPerSlot = BLOCKS_PER_SLOT): number {
  return Math.floor(block / blocksPerSlot)
}

/** `section.Method` of each event, in order, without the system bookkeeping ones unless nothing else. */
export function eventNames (events: ChainEvent[]): string[] {
  return events.map(e => `${e.section}.${e.method}`)
}

/** Shortens an address or hex for display: `5GrwvaEF…utQY`. */
export function shorten (text: string, keep = 8): string {
  return text.length <= keep * 2 + 1 ? text : `${text.slice(0, keep)}…${text.slice(-4)}`
}

/** A sentence for a failed transaction, from the chain client's named errors. */
export function describeTxError (err: unknown): string {
  const e = err as Error & { reason?: string, pallet?: string, error?: string }
  switch (e?.name) {
    case 'ChainModuleError':
      // "NsnStake.InsufficientBalance: The free balance … cannot cover the amount."
      return e.message
    case 'ChainDispatchError':
      return e.message
    case 'InvalidTransactionError': {
      const hint = e.reason === 'bad-proof' && !/bad signature/i.test(e.message) ? ', bad signature' : ''
      return `Rejected by the node (1010${hint}): ${e.message}`
    }
    case 'TxDroppedError': {
      const cause = e.cause as Error | undefined
      // the extension signer's refusal (ExtensionRejectedError) or another wallet's "Cancelled"
      if (cause?.name === 'ExtensionRejectedError') return cause.message
      if (/cancel|reject|denied|declin/i.test(cause?.message ?? '')) return `Signing was rejected: ${cause?.message ?? ''}`
      return e.message
    }
    case 'AbortError':
      return 'Stopped watching the transaction (it may still be included)'
    case 'InvalidInputError':
      return e.message
    default:
      return e?.message != null && e.message !== '' ? `${e.name ?? 'Error'}: ${e.message}` : String(err)
  }
}
