import type { Role } from './api/types.ts'

export const SCREENS = ['cockpit', 'desk', 'tasks', 'verify', 'rankings'] as const
export type Screen = (typeof SCREENS)[number]

/** Who sees which screen. The server enforces scope; this only shapes the navigation. */
const ACCESS: Readonly<Record<Screen, readonly Role[]>> = {
  cockpit: ['leader', 'dispatcher', 'admin'],
  desk: ['operator', 'dispatcher', 'leader', 'admin'],
  tasks: ['handler', 'admin'],
  verify: ['inspector', 'admin'],
  rankings: ['operator', 'dispatcher', 'handler', 'inspector', 'leader', 'admin'],
}

/** Screens a role may open, in navigation order. */
export function screensFor(role: Role): readonly Screen[] {
  return SCREENS.filter((s) => ACCESS[s].includes(role))
}

/** Where a role lands after login. */
export function homeFor(role: Role): Screen {
  switch (role) {
    case 'leader':
    case 'admin':
      return 'cockpit'
    case 'handler':
      return 'tasks'
    case 'inspector':
      return 'verify'
    default:
      return 'desk'
  }
}

/** `#/desk/C123` → { screen: 'desk', param: 'C123' } */
export function parseHash(hash: string): { screen: Screen | undefined; param: string | undefined } {
  const [, s, p] = hash.replace(/^#/, '').split('/')
  const screen = SCREENS.find((x) => x === s)
  return { screen, param: p ? decodeURIComponent(p) : undefined }
}

export function hrefOf(screen: Screen, param?: string): string {
  return `#/${screen}${param ? `/${encodeURIComponent(param)}` : ''}`
}
