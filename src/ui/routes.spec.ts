// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { ROUTES, parseRoute, routeHref } from './routes.ts'

describe('routes', () => {
  it('should default to watch', () => {
    expect(parseRoute('').id).toBe('watch')
    expect(parseRoute('#/nowhere').id).toBe('watch')
  })

  it('should read the page from the hash', () => {
    expect(parseRoute('#/wallet').id).toBe('wallet')
    expect(parseRoute('#settings').id).toBe('settings')
    expect(parseRoute('#/director/x?y=1').id).toBe('director')
    expect(parseRoute(routeHref('dashboard')).available).toBe(false)
  })

  it('should mark the built pages available', () => {
    expect(ROUTES.filter(r => r.available).map(r => r.id)).toEqual(['watch', 'director', 'wallet'])
    expect(parseRoute('#/wallet').available).toBe(true)
  })
})
