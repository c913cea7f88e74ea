// SPDX-License-Identifier: GPL-3.0-or-later
// Node 20 lacks Promise.withResolvers, which libp2p v3 uses at start (see README, "Node 20").
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers () {
    let resolve
    let reject
    const promise = new Promise((res, rej) => { resolve = res; reject = rej })
    return { promise, resolve, reject }
  }
}
