// SPDX-License-Identifier: GPL-3.0-or-later
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Keyring } from '@polkadot/keyring'
import { hexToU8a, u8aWrapBytes } from '@polkadot/util'
import { cryptoWaitReady, mnemonicGenerate, signatureVerify } from '@polkadot/util-crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChainKeyError, loadChainSigner } from './chain-signer.ts'

let dir: string
beforeAll(async () => {
  await cryptoWaitReady()
  dir = await mkdtemp(join(tmpdir(), 'nsn-chain-key-'))
})
afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

async function keyFile (name: string, text: string, mode = 0o600): Promise<string> {
  const file = join(dir, name)
  await writeFile(file, text, { mode })
  await chmod(file, mode)
  return file
}

describe('loadChainSigner', () => {
  it('should load a mnemonic from the environment and sign with it', async () => {
    const mnemonic = mnemonicGenerate()
    const expected = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(`${mnemonic}//nsn`).address
    const { address, signer } = await loadChainSigner({ env: { NSN_CHAIN_SURI: `${mnemonic}//nsn` } })
    expect(address).toBe(expected)
    const { signature } = await signer.signRaw!({ address, data: '0x1234', type: 'bytes' })
    expect(signatureVerify(u8aWrapBytes(hexToU8a('0x1234')), signature, address).isValid).toBe(true)
    expect(signatureVerify(u8aWrapBytes(hexToU8a('0x1235')), signature, address).isValid).toBe(false)
  })

  it('should decrypt a polkadot-js JSON keystore with the password from the environment', async () => {
    const pair = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(mnemonicGenerate())
    const file = await keyFile('keystore.json', JSON.stringify(pair.toJson('correct horse')))
    await expect(loadChainSigner({ file, env: { NSN_CHAIN_KEY_PASSWORD: 'correct horse' } })).resolves.toMatchObject({ address: pair.address })
    await expect(loadChainSigner({ file, env: { NSN_CHAIN_KEY_PASSWORD: 'wrong' } })).rejects.toThrow(/could not be decrypted/)
    await expect(loadChainSigner({ file, env: {} })).rejects.toThrow(/NSN_CHAIN_KEY_PASSWORD/)
  })

  it('should refuse a key file that group or others can read', async () => {
    const file = await keyFile('open.txt', mnemonicGenerate(), 0o644)
    await expect(loadChainSigner({ file, env: {} })).rejects.toThrow(/chmod 600/)
  })

  it('should refuse the public development keys unless allowed for the dev chain', async () => {
    for (const suri of ['//Alice', '//Director3//stash', 'bottom drive obey lake curtain smoke basket hold race lonely fit walk//Alice']) {
      const err = await loadChainSigner({ env: { NSN_CHAIN_SURI: suri } }).catch((e: unknown) => e as Error)
      expect(err).toBeInstanceOf(Error)
      expect((err as Error).name).toBe(ChainKeyError.name)
    }
    const file = await keyFile('dev.txt', '//Bob')
    await expect(loadChainSigner({ file, env: {} })).rejects.toThrow(/development key/)
    const dev = await loadChainSigner({ file, env: {}, allowDevKeys: true })
    expect(dev.address).toBe(new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Bob').address)
  })

  it('should say what is missing or malformed', async () => {
    await expect(loadChainSigner({ env: {} })).rejects.toThrow(/No chain key/)
    await expect(loadChainSigner({ env: { NSN_CHAIN_SURI: 'not a real mnemonic at all' } })).rejects.toThrow(/neither a JSON keystore/)
    await expect(loadChainSigner({ file: join(dir, 'missing'), env: {} })).rejects.toThrow(/Cannot read/)
    const bad = await keyFile('bad.json', '{ nope')
    await expect(loadChainSigner({ file: bad, env: {} })).rejects.toThrow(/not valid JSON/)
  })
})
