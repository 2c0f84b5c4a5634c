import { useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { availableActions, type ActionSpec } from '../case-actions.ts'
import { api } from '../api/endpoints.ts'
import type { ApiCase, Catalog, CaseDetail, TimelineEntry } from '../api/types.ts'
import { useUser } from '../auth/session.tsx'
import { fmtDateTime, fmtDuration } from '../ui/format.ts'
import { useLoad, useNow } from '../ui/hooks.ts'
import { StateNote } from '../ui/parts.tsx'
import { ActionForm } from './action-form.tsx'
import { PositionMap } from './position-map.tsx'

const DEADLINES = ['accept', 'dispatch', 'receive', 'handle', 'verify', 'callback'] as const

/** One case: facts, deadlines, reporter(s), timeline, and the actions this user may take now. */
export function CaseDetailPane({
  id,
  catalog,
  onChanged,
}: {
  id: string
  catalog: Catalog | undefined
  onChanged: (c: ApiCase) => void
}) {
  const { t, i18n } = useTranslation()
  const user = useUser()
  const now = useNow(30_000)
  const [detail, reload] = useLoad(() => api.case(id), [id])
  const [timeline, reloadTimeline] = useLoad(() => api.timeline(id), [id])
  const [open, setOpen] = useState<ActionSpec>()
  const [conflict, setConflict] = useState(false)
  const [done, setDone] = useState<string>()
  const actions = useMemo(
    () => (detail.state === 'ready' ? availableActions(detail.data, user) : []),
    [detail, user],
  )
  // Unit names for the facts and the dispatch/whistle forms; ids are shown while the endpoint is missing.
  const [units] = useLoad(() => api.units(), [])
  const unitName = (id: string | undefined) =>
    id && units.state === 'ready' ? (units.data.find((u) => u.id === id)?.name ?? id) : (id ?? '—')

  if (detail.state !== 'ready') {
    return <StateNote state={detail} onRetry={reload} />
  }
  const c: CaseDetail = detail.data
  const cls = catalog?.classes.find((x) => x.id === c.classId)
  const refresh = () => {
    setConflict(false)
    setOpen(undefined)
    reload()
    reloadTimeline()
  }

  return (
    <article className="case" aria-labelledby="case-title">
      <header className="case-head">
        <div className="case-head-top">
          <span className={`stage-chip stage-${c.stage}`}>{t(`stage.${c.stage}`)}</span>
          {c.priority === 'urgent' ? <span className="tag tag-urgent">{t('priority.urgent')}</span> : null}
          {c.supervised ? <span className="tag tag-gold">{t('desk.supervised')}</span> : null}
          <span className="case-id">
            {c.id} · v{c.version}
          </span>
        </div>
        <h2 id="case-title" className="case-title">
          {c.title}
        </h2>
        {c.dueNext !== undefined ? (
          <p className={`case-due ${c.dueNext < now ? 'late' : ''}`}>
            {c.dueNext < now
              ? t('desk.overdueBy', { d: fmtDuration(now - c.dueNext) })
              : t('desk.dueIn', { d: fmtDuration(c.dueNext - now) })}
            <span className="case-due-at"> ({fmtDateTime(c.dueNext)})</span>
          </p>
        ) : null}
      </header>

      {conflict ? (
        <div className="banner banner-warn" role="alert">
          <span>{t('desk.conflict')}</span>
          <button type="button" className="btn btn-small" onClick={refresh}>
            {t('desk.reload')}
          </button>
        </div>
      ) : null}
      {done ? (
        <div className="banner banner-ok" role="status">
          {done}
        </div>
      ) : null}

      <section className="actions" aria-labelledby="actions-title">
        <h3 id="actions-title" className="section-title">
          {t('desk.actions')}
        </h3>
        {actions.length ? (
          <div className="action-buttons">
            {actions.map((a) => (
              <button
                key={a.type}
                type="button"
                className={`btn btn-small ${a.tone === 'primary' ? 'btn-primary' : a.tone === 'danger' ? 'btn-danger-ghost' : ''} ${open?.type === a.type ? 'active' : ''}`}
                aria-expanded={open?.type === a.type}
                onClick={() => {
                  setDone(undefined)
                  setOpen(open?.type === a.type ? undefined : a)
                }}
              >
                {t(`action.${a.type}`)}
              </button>
            ))}
          </div>
        ) : (
          <p className="hint">
            {t('desk.noActions', { role: t(`role.${user.role}`), stage: t(`stage.${c.stage}`) })}
          </p>
        )}
        {open ? (
          <ActionForm
            key={open.type}
            spec={open}
            c={c}
            catalog={catalog}
            units={units.state === 'ready' ? units.data : undefined}
            onCancel={() => setOpen(undefined)}
            onConflict={() => setConflict(true)}
            onDone={(next) => {
              setOpen(undefined)
              setDone(t('desk.done', { action: t(`action.${open.type}`), stage: t(`stage.${next.stage}`) }))
              onChanged(next)
              reload()
              reloadTimeline()
            }}
          />
        ) : null}
      </section>

      <div className="case-cols">
        <section aria-labelledby="facts-title">
          <h3 id="facts-title" className="section-title">
            {t('desk.facts')}
          </h3>
          <dl className="facts">
            <Fact k={t('desk.channel')} v={t(`channel.${c.channel}`)} />
            <Fact
              k={t('desk.class')}
              v={
                cls
                  ? `${cls.id} ${i18n.language === 'en' ? cls.nameEn : cls.name}`
                  : (c.classId ?? t('desk.unclassified'))
              }
            />
            <Fact k={t('desk.address')} v={c.address ?? '—'} />
            <Fact
              k={t('desk.grid')}
              v={c.region.gridCode ?? c.region.streetCode ?? c.region.districtCode ?? '—'}
            />
            <Fact k={t('desk.level')} v={t(`level.${c.level}`)} />
            <Fact k={t('desk.unit')} v={unitName(c.unitId)} />
            <Fact k={t('desk.reportedAt')} v={fmtDateTime(c.times.reportedAt)} />
            {c.location ? (
              <Fact k={t('desk.position')} v={`${c.location.lon.toFixed(5)}, ${c.location.lat.toFixed(5)}`} />
            ) : null}
          </dl>
          <p className="case-desc">{c.description}</p>
          {c.extensionRequest ? (
            <p className="banner banner-warn">
              {t('desk.extensionPending', {
                amount: c.extensionRequest.limit.amount,
                unit: t(`limitUnit.${c.extensionRequest.limit.unit}`),
                reason: c.extensionRequest.reason,
              })}
            </p>
          ) : null}
          {c.summons.length ? (
            <>
              <h4 className="sub-title">{t('desk.summons')}</h4>
              <ul className="summons">
                {c.summons.map((s) => (
                  <li key={s.unitId}>
                    {s.unitId} —{' '}
                    {s.reportedAt
                      ? t('desk.reportedIn', { at: fmtDateTime(s.reportedAt) })
                      : t('desk.dueBy', { at: fmtDateTime(s.due) })}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <h4 className="sub-title">{t('desk.deadlines')}</h4>
          <ul className="deadlines">
            {DEADLINES.filter((d) => c.due[d] !== undefined).map((d) => (
              <li key={d} className={c.due[d]! < now ? 'late' : ''}>
                <span>{t(`deadline.${d}`)}</span>
                <time>{fmtDateTime(c.due[d])}</time>
              </li>
            ))}
          </ul>
        </section>
        <section aria-labelledby="pos-title">
          <h3 id="pos-title" className="section-title">
            {t('desk.position')}
          </h3>
          {c.location ? (
            <PositionMap at={c.location} districtCode={c.region.districtCode} />
          ) : (
            <p className="note">{t('desk.noPosition')}</p>
          )}
        </section>
      </div>

      <section aria-labelledby="appeals-title">
        <h3 id="appeals-title" className="section-title">
          {t('desk.appeals', { count: c.appeals.length })}
        </h3>
        <ul className="appeals">
          {c.appeals.map((a) => (
            <li key={a.id} className="appeal">
              <div className="appeal-head">
                <span className="appeal-who">{a.reporterName ?? t('desk.anonymous')}</span>
                {a.reporterPhone ? <span className="appeal-phone">{a.reporterPhone}</span> : null}
                <span className="appeal-ch">{t(`channel.${a.channel}`)}</span>
                <time>{fmtDateTime(a.receivedAt)}</time>
              </div>
              <p className="appeal-text">{a.text}</p>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="tl-title">
        <h3 id="tl-title" className="section-title">
          {t('desk.timeline')}
        </h3>
        <StateNote state={timeline} />
        {timeline.state === 'ready' ? <Timeline items={timeline.data.items} unitName={unitName} /> : null}
      </section>
    </article>
  )
}

function Fact({ k, v }: { k: string; v: string }) {
  return (
    <div className="fact">
      <dt>{k}</dt>
      <dd>{v}</dd>
    </div>
  )
}

function Timeline({
  items,
  unitName,
}: {
  items: readonly TimelineEntry[]
  unitName: (id: string | undefined) => string
}) {
  const { t } = useTranslation()
  return (
    <ol className="timeline">
      {items.map((e) => {
        const note = ['note', 'reason', 'text']
          .map((k) => e.payload[k])
          .find((x): x is string => typeof x === 'string')
        return (
          <li key={e.seq} className={`tl tl-${e.action}`}>
            <time className="tl-at">{fmtDateTime(e.at)}</time>
            <div className="tl-body">
              <span className="tl-action">{t(`action.${e.action}`, { defaultValue: e.action })}</span>
              {/* the user id stays at hand for audits; people read the role and the unit */}
              <span className="tl-who" title={e.actorId}>
                {t(`role.${e.role}`)}
                {e.unitId ? ` · ${unitName(e.unitId)}` : ''}
              </span>
              {e.from !== e.to ? (
                <span className="tl-stage">
                  {e.from ? t(`stage.${e.from}`) : '∅'} → {t(`stage.${e.to}`)}
                </span>
              ) : null}
              {note ? <p className="tl-note">{note}</p> : null}
            </div>
          </li>
        )
      })}
    </ol>
  )
}
