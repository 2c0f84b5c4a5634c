/** Milliseconds since the Unix epoch (UTC). The core never reads a clock; callers pass `now`. */
export type Instant = number

export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR
