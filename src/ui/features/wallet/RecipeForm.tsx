// SPDX-License-Identifier: GPL-3.0-or-later
import { useId, useMemo, useState } from 'react'
import { parseRecipe } from '../../../core/chain/recipe.ts'
import { exampleRecipe } from '../../../core/lane0/recipe.ts'
import { toHex } from '../../../core/wire/hash.ts'
import { formatAmount, parseAmount } from './util.ts'
import type { ChainClient, ChainInfo, TxSigner } from '../../../core/chain/index.ts'
import type { TrackTx } from './types.ts'

/** A starting point: a valid Lane-0 recipe (src/core/lane0/recipe.ts). */
export const SAMPLE_RECIPE = exampleRecipe()

/** Props of {@link RecipeForm}. */
export interface RecipeFormProps {
  client: ChainClient
  info: ChainInfo
  signer?: TxSigner
  track: TrackTx
}

/** Submit a recipe as a Lane-0 task: its canonical-JSON blake2b-256 hash goes on chain with an escrow. */
export function RecipeForm ({ client, info, signer, track }: RecipeFormProps) {
  const ids = { recipe: useId(), escrow: useId(), hash: useId() }
  const [text, setText] = useState(() => JSON.stringify(SAMPLE_RECIPE, null, 2))
  const [escrowText, setEscrowText] = useState('10')
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  const parsed = useMemo(() => {
    try {
      return { ok: true as const, ...parseRecipe(text) }
    } catch (err) {
      return { ok: false as const, error: (err as Error).message }
    }
  }, [text])

  const onSubmit = async (): Promise<void> => {
    setError(undefined)
    if (signer == null) { setError('Connect the extension and choose an account first.'); return }
    if (!parsed.ok) { setError(parsed.error); return }
    let escrow: bigint
    try {
      escrow = parseAmount(escrowText, info.decimals)
    } catch (err) {
      setError(`Escrow: ${(err as Error).message}`); return
    }
    if (escrow <= 0n) { setError('The escrow must be greater than zero.'); return }
    setBusy(true)
    try {
      await track(`Submit recipe 0x${toHex(parsed.hash).slice(0, 12)}… with ${formatAmount(escrow, info.decimals, info.symbol)} escrow`,
        () => client.submitRecipe({ recipeHash: parsed.hash, escrow }, signer))
    } catch {
      // the queue shows the error
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="card" aria-labelledby="recipe-title">
      <h2 id="recipe-title">Submit a recipe</h2>
      <form onSubmit={e => { e.preventDefault(); void onSubmit() }}>
        <div className="field">
          <label htmlFor={ids.recipe}>Recipe (JSON)</label>
          <textarea id={ids.recipe} rows={10} spellCheck={false} value={text} onChange={e => { setText(e.target.value) }}
            aria-invalid={!parsed.ok} aria-describedby={ids.hash} />
        </div>
        <p id={ids.hash} className={parsed.ok ? 'muted' : 'form-error'} role={parsed.ok ? undefined : 'alert'}>
          {parsed.ok ? <>Recipe hash (blake2b-256 of the canonical JSON): <code data-testid="recipe-hash">0x{toHex(parsed.hash)}</code></> : parsed.error}
        </p>
        <div className="field">
          <label htmlFor={ids.escrow}>Escrow ({info.symbol})</label>
          <input id={ids.escrow} inputMode="decimal" value={escrowText} onChange={e => { setEscrowText(e.target.value) }} />
        </div>
        <button type="submit" disabled={busy || signer == null || !parsed.ok}>Submit recipe</button>
      </form>
      {error != null && <p className="form-error" role="alert">{error}</p>}
    </section>
  )
}
