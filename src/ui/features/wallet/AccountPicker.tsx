// SPDX-License-Identifier: GPL-3.0-or-later
import { useId } from 'react'
import { shorten } from './util.ts'
import type { WalletAccount } from './types.ts'

/** Props of {@link AccountPicker}. */
export interface AccountPickerProps {
  accounts: WalletAccount[]
  value?: string
  onChange: (address: string) => void
}

/** The account to act as: a `<select>` labelled "Account". */
export function AccountPicker ({ accounts, value, onChange }: AccountPickerProps) {
  const id = useId()
  return (
    <div className="field">
      <label htmlFor={id}>Account</label>
      <select id={id} value={value ?? ''} onChange={e => { onChange(e.target.value) }} disabled={accounts.length === 0}>
        {value == null && <option value="" disabled>{accounts.length === 0 ? 'No accounts' : 'Choose an account'}</option>}
        {accounts.map(a => (
          <option key={a.address} value={a.address}>{a.name != null ? `${a.name} (${shorten(a.address)})` : a.address}</option>
        ))}
      </select>
    </div>
  )
}
