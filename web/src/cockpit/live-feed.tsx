import { useTranslation } from 'react-i18next'
import { hrefOf } from '../routes.ts'
import { fmtWhen } from '../ui/format.ts'
import type { FeedItem } from './live-model.ts'

/** Newest events first. The list is a polite live region so a screen reader hears arrivals. */
export function LiveFeed({ items, linkCases }: { items: readonly FeedItem[]; linkCases: boolean }) {
  const { t } = useTranslation()
  if (!items.length) {
    return <p className="note">{t('feed.empty')}</p>
  }
  return (
    <ol className="feed" aria-live="polite" aria-relevant="additions">
      {items.map((f) => (
        <li key={f.key} className={`feed-item feed-${f.kind}`}>
          <time className="feed-time">{fmtWhen(f.at, Date.now())}</time>
          <span className="feed-tag">{t(`event.${f.type}`, { defaultValue: f.type })}</span>
          <span className="feed-text">
            {f.caseId && linkCases ? (
              <a href={hrefOf('desk', f.caseId)} className="feed-link">
                {f.title ?? f.caseId}
              </a>
            ) : (
              (f.title ?? f.caseId ?? '')
            )}
            {f.place ? <span className="feed-place">{f.place}</span> : null}
          </span>
        </li>
      ))}
    </ol>
  )
}
