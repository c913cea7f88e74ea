// SPDX-License-Identifier: GPL-3.0-or-later

/** Props of {@link ComingSoon}. */
export interface ComingSoonProps {
  title: string
}

/** Placeholder for a page that is not built yet: it says so and does nothing else. */
export function ComingSoon ({ title }: ComingSoonProps) {
  return (
    <section className="coming-soon">
      <h1>{title}</h1>
      <p>Coming in a later release.</p>
    </section>
  )
}
