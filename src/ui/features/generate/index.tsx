// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The director page. Director mode proper (staking, elections, slots, verification, streaming the
 * result) is a later issue; today it holds the generation panel, which runs the Lane-0 pipeline on this
 * device. Loaded lazily (React.lazy).
 */
import { GenerationPanel } from './GenerationPanel.tsx'

export { GenerationPanel }

export default function DirectorPage () {
  return (
    <section className="director" aria-labelledby="director-title">
      <h1 id="director-title">Director</h1>
      <p className="notice" role="note">
        Director mode (election, slot schedule, verification and streaming to the channel) arrives in a later release.
        Here you can already turn a recipe into a clip on this device.
      </p>
      <GenerationPanel />
    </section>
  )
}
