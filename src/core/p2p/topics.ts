// SPDX-License-Identifier: GPL-3.0-or-later
import { VIDEO_TOPIC_PREFIX } from './constants.ts'
import { InvalidChannelError } from './errors.ts'

const CHANNEL_RE = /^[a-z0-9._-]{1,64}$/

/** Throws `InvalidChannelError` unless `channel` is 1-64 chars of `[a-z0-9._-]` (SPEC.md). */
export function assertChannel (channel: string): string {
  if (!CHANNEL_RE.test(channel)) {
    throw new InvalidChannelError(`Invalid channel "${channel}": use 1-64 characters of a-z 0-9 . _ -`)
  }
  return channel
}

/** The gossipsub topic of a channel's video segments. */
export function videoTopic (channel: string): string {
  return VIDEO_TOPIC_PREFIX + assertChannel(channel)
}

/** The channel of a video topic, or undefined when `topic` is not one. */
export function channelOfTopic (topic: string): string | undefined {
  if (!topic.startsWith(VIDEO_TOPIC_PREFIX)) return undefined
  const channel = topic.slice(VIDEO_TOPIC_PREFIX.length)
  return CHANNEL_RE.test(channel) ? channel : undefined
}
