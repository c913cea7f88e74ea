// SPDX-License-Identifier: GPL-3.0-or-later
export * from './errors.ts'
export * from './manifest.ts'
export * from './model-loader.ts'
