import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api } from '../api/endpoints.ts'
import { RankingsTable } from '../cockpit/rankings-table.tsx'
import { useLoad } from '../ui/hooks.ts'
import { StateNote } from '../ui/parts.tsx'

type Period = 'week' | 'month' | 'quarter'
type Level = 'district' | 'street' | 'unit'

/** Evaluation rankings (DESIGN.md §4): composite score from response, resolution and satisfaction rates. */
export function RankingsPage() {
  const { t } = useTranslation()
  const [period, setPeriod] = useState<Period>('month')
  const [level, setLevel] = useState<Level>('street')
  const [ranks, reload] = useLoad(() => api.rankings(period, level), [period, level])
  return (
    <div className="page rankings-page">
      <header className="page-head">
        <h1 className="page-title">{t('nav.rankings')}</h1>
        <form className="filter-row" onSubmit={(e) => e.preventDefault()} aria-label={t('rank.options')}>
          <div className="field">
            <label htmlFor="r-period">{t('rank.period')}</label>
            <select id="r-period" value={period} onChange={(e) => setPeriod(e.target.value as Period)}>
              {(['week', 'month', 'quarter'] as const).map((p) => (
                <option key={p} value={p}>
                  {t(`rank.periods.${p}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="r-level">{t('rank.level')}</label>
            <select id="r-level" value={level} onChange={(e) => setLevel(e.target.value as Level)}>
              {(['district', 'street', 'unit'] as const).map((l) => (
                <option key={l} value={l}>
                  {t(`rank.levels.${l}`)}
                </option>
              ))}
            </select>
          </div>
        </form>
      </header>
      <p className="hint">{t('rank.definition')}</p>
      <StateNote state={ranks} what="GET /api/v1/rankings" onRetry={reload} />
      {ranks.state === 'ready' ? (
        ranks.data.items.length ? (
          <div className="panel panel-flat">
            <RankingsTable rows={ranks.data.items} />
          </div>
        ) : (
          <p className="note">{t('rank.empty')}</p>
        )
      ) : null}
    </div>
  )
}
