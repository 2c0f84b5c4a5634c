/** Display helpers. Times are epoch ms and always shown in Beijing time, whatever the viewer's zone. */
import i18n from 'i18next'

const TZ = 'Asia/Shanghai'

function locale(): string {
  return i18n.language === 'en' ? 'en-GB' : 'zh-CN'
}

export function fmtTime(ms: number | undefined): string {
  if (ms === undefined) {
    return '—'
  }
  return new Intl.DateTimeFormat(locale(), {
    timeZone: TZ,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(ms)
}

export function fmtDateTime(ms: number | undefined): string {
  if (ms === undefined) {
    return '—'
  }
  return new Intl.DateTimeFormat(locale(), {
    timeZone: TZ,
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(ms)
}

export function fmtDate(ms: number): string {
  return new Intl.DateTimeFormat(locale(), {
    timeZone: TZ,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    weekday: 'short',
  }).format(ms)
}

export function fmtInt(n: number | undefined): string {
  return n === undefined ? '—' : new Intl.NumberFormat(locale()).format(n)
}

/** 0.9345 → "93.5" (the % sign is drawn separately, smaller). */
export function fmtRate(r: number | undefined): string {
  return r === undefined || !Number.isFinite(r) ? '—' : (r * 100).toFixed(1)
}

/** Start of today in Beijing, as epoch ms. */
export function startOfBeijingDay(now: number): number {
  const offset = 8 * 3600_000
  return Math.floor((now + offset) / 86_400_000) * 86_400_000 - offset
}

/** "2h 05m" left or overdue; negative = overdue. */
export function fmtDuration(ms: number): string {
  const abs = Math.abs(ms)
  const d = Math.floor(abs / 86_400_000)
  const h = Math.floor((abs % 86_400_000) / 3_600_000)
  const m = Math.floor((abs % 3_600_000) / 60_000)
  if (d > 0) {
    return i18n.t('time.dh', { d, h })
  }
  if (h > 0) {
    return i18n.t('time.hm', { h, m: String(m).padStart(2, '0') })
  }
  return i18n.t('time.m', { m })
}

/** Time of day for today's events, date and time for older ones. */
export function fmtWhen(ms: number, now: number): string {
  return ms >= startOfBeijingDay(now) ? fmtTime(ms) : fmtDateTime(ms)
}

/** Elapsed time as a running clock, 01:02:03 (days roll into hours). */
export function fmtElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`
}
