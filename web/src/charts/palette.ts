/** The cockpit's colours, shared by CSS (see theme.css custom properties) and charts. */
export const C = {
  text: '#d7e6ff',
  dim: '#7f95bd',
  faint: 'rgba(127,149,189,0.18)',
  cyan: '#36e2ff',
  blue: '#3d8bff',
  gold: '#ffc65c',
  green: '#3ee0a1',
  red: '#ff4d5e',
  violet: '#9b7bff',
  orange: '#ff8f4d',
} as const

export const CHANNEL_COLOR: Readonly<Record<string, string>> = {
  hotline: C.cyan,
  patrol: C.blue,
  sensor: C.green,
  opinion: C.violet,
  open311: C.gold,
  instruction: C.red,
  self: C.orange,
}

export const TOOLTIP = {
  backgroundColor: 'rgba(6,18,42,0.94)',
  borderColor: 'rgba(54,226,255,0.45)',
  borderWidth: 1,
  textStyle: { color: C.text, fontSize: 13 },
  extraCssText: 'box-shadow:0 0 18px rgba(54,226,255,0.25);border-radius:4px;',
} as const
