// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Parser for {@link TypeRef} expressions (`Vec<(AccountId32, Compact<u128>)>`, `[u8; 32]`, …).
 */
import { TypeExpressionError } from './errors.ts'
import type { TypeRef } from './types.ts'

/** A parsed type expression. */
export type TypeExpr =
  | { kind: 'tuple', items: TypeExpr[] }
  | { kind: 'array', len: number, item: TypeExpr }
  | { kind: 'named', name: string, args: TypeExpr[] }

const TOKEN = /\s*([A-Za-z_][A-Za-z0-9_]*|\d+|[<>()[\];,])/y

function tokenize (source: string): string[] {
  const tokens: string[] = []
  TOKEN.lastIndex = 0
  while (TOKEN.lastIndex < source.length) {
    if (/^\s*$/.test(source.slice(TOKEN.lastIndex))) break
    const at = TOKEN.lastIndex
    const m = TOKEN.exec(source)
    if (m == null) throw new TypeExpressionError(source, `Unexpected character at ${at} in type expression '${source}'`)
    tokens.push(m[1] as string)
  }
  return tokens
}

/** Parses a type expression; throws `TypeExpressionError` on bad syntax. */
export function parseTypeExpr (source: TypeRef): TypeExpr {
  const tokens = tokenize(source)
  let pos = 0
  const peek = (): string | undefined => tokens[pos]
  const expect = (token: string): void => {
    if (tokens[pos] !== token) throw new TypeExpressionError(source, `Expected '${token}' at token ${pos} in '${source}'`)
    pos++
  }
  const list = (close: string): TypeExpr[] => {
    const items: TypeExpr[] = []
    while (peek() !== close) {
      items.push(parse())
      if (peek() === ',') pos++
      else if (peek() !== close) throw new TypeExpressionError(source, `Expected ',' or '${close}' at token ${pos} in '${source}'`)
    }
    pos++
    return items
  }
  const parse = (): TypeExpr => {
    const token = tokens[pos++]
    if (token === '(') return { kind: 'tuple', items: list(')') }
    if (token === '[') {
      const item = parse()
      expect(';')
      const len = Number(tokens[pos++])
      if (!Number.isInteger(len)) throw new TypeExpressionError(source, `Expected an array length in '${source}'`)
      expect(']')
      return { kind: 'array', len, item }
    }
    if (token == null || !/^[A-Za-z_]/.test(token)) throw new TypeExpressionError(source)
    if (peek() === '<') {
      pos++
      return { kind: 'named', name: token, args: list('>') }
    }
    return { kind: 'named', name: token, args: [] }
  }
  const expr = parse()
  if (pos !== tokens.length) throw new TypeExpressionError(source, `Trailing tokens in type expression '${source}'`)
  return expr
}

/** The canonical text of an expression (used as a cache key). */
export function formatTypeExpr (expr: TypeExpr): string {
  switch (expr.kind) {
    case 'tuple': return `(${expr.items.map(formatTypeExpr).join(', ')})`
    case 'array': return `[${formatTypeExpr(expr.item)}; ${expr.len}]`
    case 'named': return expr.args.length === 0 ? expr.name : `${expr.name}<${expr.args.map(formatTypeExpr).join(', ')}>`
  }
}
