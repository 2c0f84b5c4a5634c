import { useTranslation } from 'react-i18next'
import type { Overview } from '../api/types.ts'
import { fmtInt, fmtRate } from '../ui/format.ts'

interface Tile {
  readonly key: string
  readonly value: string
  readonly unit?: string
  readonly tone: 'cyan' | 'blue' | 'red' | 'gold' | 'green' | 'violet'
  /** 0..1 for the ring under a rate */
  readonly ratio?: number
}

/** The seven vital signs, big numerals; '—' where nothing was due (never a made-up zero). */
export function KpiTiles({ o }: { o: Overview | undefined }) {
  const { t } = useTranslation()
  const tiles: Tile[] = [
    { key: 'today', value: fmtInt(o?.today), tone: 'cyan' },
    { key: 'inProgress', value: fmtInt(o?.inProgress), tone: 'blue' },
    { key: 'overdue', value: fmtInt(o?.overdue), tone: 'red' },
    { key: 'supervised', value: fmtInt(o?.supervised), tone: 'gold' },
    rate('responseRate', o?.responseRate, 'green'),
    rate('resolutionRate', o?.resolutionRate, 'cyan'),
    rate('satisfactionRate', o?.satisfactionRate, 'violet'),
  ]
  return (
    <ul className="kpis" aria-label={t('cockpit.kpis')}>
      {tiles.map((tile) => (
        <li key={tile.key} className={`kpi kpi-${tile.tone}`}>
          <span className="kpi-label">{t(`kpi.${tile.key}`)}</span>
          <span className="kpi-value">
            {tile.value}
            {tile.unit && tile.value !== '—' ? <small className="kpi-unit">{tile.unit}</small> : null}
          </span>
          {tile.ratio !== undefined ? (
            <span className="kpi-bar" aria-hidden="true">
              <span style={{ width: `${Math.round(tile.ratio * 100)}%` }} />
            </span>
          ) : (
            <span className="kpi-bar kpi-bar-none" aria-hidden="true" />
          )}
        </li>
      ))}
    </ul>
  )
}

function rate(key: string, r: number | undefined, tone: Tile['tone']): Tile {
  return { key, value: fmtRate(r), unit: '%', tone, ...(r !== undefined ? { ratio: r } : {}) }
}
