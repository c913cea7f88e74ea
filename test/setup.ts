// SPDX-License-Identifier: GPL-3.0-or-later
// Node 20 lacks Promise.withResolvers (libp2p v3 needs it): same polyfill as the CLI.
import '../bin/polyfill.js'
