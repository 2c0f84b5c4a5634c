import { useTranslation } from 'react-i18next'
import type { RankingRow } from '../api/types.ts'
import { fmtRate } from '../ui/format.ts'

/** Ranked streets or units: composite score and its three rates. */
export function RankingsTable({ rows, compact }: { rows: readonly RankingRow[]; compact?: boolean }) {
  const { t } = useTranslation()
  return (
    <table className={`rank-table ${compact ? 'rank-compact' : ''}`}>
      <thead>
        <tr>
          <th scope="col">{t('rank.rank')}</th>
          <th scope="col">{t('rank.name')}</th>
          <th scope="col" className="num">
            {t('rank.score')}
          </th>
          <th scope="col" className="num">
            {t('rank.response')}
          </th>
          <th scope="col" className="num">
            {t('rank.resolution')}
          </th>
          <th scope="col" className="num">
            {t('rank.satisfaction')}
          </th>
          {compact ? null : (
            <th scope="col" className="num">
              {t('rank.cases')}
            </th>
          )}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.code}>
            <td>
              <span className={`rank-badge ${r.rank <= 3 ? `rank-top rank-${r.rank}` : ''}`}>{r.rank}</span>
            </td>
            <th scope="row" className="rank-name">
              {r.name}
            </th>
            <td className="num rank-score">{r.score.toFixed(1)}</td>
            <td className="num">{fmtRate(r.responseRate)}</td>
            <td className="num">{fmtRate(r.resolutionRate)}</td>
            <td className="num">{fmtRate(r.satisfactionRate)}</td>
            {compact ? null : <td className="num">{r.cases ?? '—'}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  )
}
