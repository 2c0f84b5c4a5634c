import { useCallback, useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { CHANNELS, STAGES } from '../../../src/core/case/case.types.ts'
import { api } from '../api/endpoints.ts'
import type { ApiCase, CaseQuery, Catalog, Channel, Stage, User } from '../api/types.ts'
import { useUser } from '../auth/session.tsx'
import { hrefOf, type Screen } from '../routes.ts'
import { fmtDateTime, fmtDuration } from '../ui/format.ts'
import { useLoad, useNow } from '../ui/hooks.ts'
import { Dialog } from '../ui/parts.tsx'
import { CaseDetailPane } from './case-detail.tsx'
import { IntakeForm } from './intake-form.tsx'

export type DeskPreset = 'desk' | 'tasks' | 'verify'

interface Filters {
  readonly stage: readonly Stage[]
  readonly channel: Channel | ''
  readonly classId: string
  readonly overdue: boolean
  readonly q: string
}

/** Where each role starts: the queue of work that is waiting for it. */
function defaultStages(preset: DeskPreset, u: User): readonly Stage[] {
  if (preset === 'tasks') {
    return ['dispatched', 'handling', 'suspended']
  }
  if (preset === 'verify') {
    return ['handled']
  }
  if (u.role === 'operator') {
    return ['reported']
  }
  if (u.role === 'dispatcher') {
    return ['accepted', 'registered']
  }
  return []
}

function queryOf(f: Filters, preset: DeskPreset, u: User): CaseQuery {
  return {
    ...(f.stage.length ? { stage: f.stage } : {}),
    ...(f.channel ? { channel: f.channel } : {}),
    ...(f.classId ? { class: f.classId } : {}),
    ...(f.overdue ? { overdue: true } : {}),
    ...(f.q.trim() ? { q: f.q.trim() } : {}),
    ...(preset === 'tasks' && u.unitId ? { unit: u.unitId } : {}),
    limit: 50,
  }
}

/**
 * The case desk: a filtered queue on the left, the chosen case on the right. The same screen
 * serves operators and dispatchers (案件工作台), handlers (我的任务, their unit's cases) and
 * inspectors (核查任务, cases waiting for verification).
 */
export function CaseDesk({ preset, selectedId }: { preset: DeskPreset; selectedId: string | undefined }) {
  const { t } = useTranslation()
  const user = useUser()
  const screen: Screen = preset
  const [filters, setFilters] = useState<Filters>(() => ({
    stage: defaultStages(preset, user),
    channel: '',
    classId: '',
    overdue: false,
    q: '',
  }))
  const [catalog] = useLoad(() => api.catalog(), [])
  const [items, setItems] = useState<readonly ApiCase[]>([])
  const [cursor, setCursor] = useState<string>()
  const [state, setState] = useState<'loading' | 'ready' | 'error'>('loading')
  const [error, setError] = useState<string>()
  const [intakeOpen, setIntakeOpen] = useState(false)
  const [reloadTick, setReloadTick] = useState(0)
  const now = useNow(30_000)

  useEffect(() => {
    const ctl = new AbortController()
    setState('loading')
    const timer = setTimeout(() => {
      api.cases(queryOf(filters, preset, user), ctl.signal).then(
        (p) => {
          setItems(p.items)
          setCursor(p.nextCursor)
          setState('ready')
        },
        (e: unknown) => {
          if (ctl.signal.aborted) {
            return
          }
          setError(e instanceof Error ? e.message : String(e))
          setState('error')
        },
      )
    }, 250) // typing in the search box should not fire a request per key
    return () => {
      clearTimeout(timer)
      ctl.abort()
    }
  }, [filters, preset, user, reloadTick])

  const more = async () => {
    if (!cursor) {
      return
    }
    const p = await api.cases({ ...queryOf(filters, preset, user), cursor })
    setItems((old) => [...old, ...p.items])
    setCursor(p.nextCursor)
  }

  const onChanged = useCallback(
    (c: ApiCase) => setItems((old) => old.map((x) => (x.id === c.id ? c : x))),
    [],
  )

  return (
    <div className="desk">
      <section className="queue" aria-labelledby="queue-title">
        <header className="queue-head">
          <h1 id="queue-title" className="queue-title">
            {t(`nav.${screen}`)}
          </h1>
          {user.role === 'operator' || user.role === 'admin' ? (
            <button type="button" className="btn btn-primary btn-small" onClick={() => setIntakeOpen(true)}>
              {t('intake.new')}
            </button>
          ) : null}
        </header>
        <FilterBar
          filters={filters}
          setFilters={setFilters}
          catalog={catalog.state === 'ready' ? catalog.data : undefined}
        />
        <div className="queue-list" aria-busy={state === 'loading'}>
          {state === 'error' ? (
            <p className="form-error" role="alert">
              {error}
            </p>
          ) : null}
          {state !== 'error' && !items.length ? (
            <p className="note">{state === 'loading' ? t('common.loading') : t('desk.empty')}</p>
          ) : null}
          <ul className="case-list">
            {items.map((c) => (
              <li key={c.id}>
                <a
                  href={hrefOf(screen, c.id)}
                  className={`case-row ${c.id === selectedId ? 'selected' : ''} ${c.priority === 'urgent' ? 'urgent' : ''}`}
                  aria-current={c.id === selectedId ? 'true' : undefined}
                >
                  <span className="row-top">
                    <span className={`stage-chip stage-${c.stage}`}>{t(`stage.${c.stage}`)}</span>
                    {c.priority === 'urgent' ? (
                      <span className="tag tag-urgent">{t('priority.urgent')}</span>
                    ) : null}
                    {c.supervised ? <span className="tag tag-gold">{t('desk.supervised')}</span> : null}
                    <span className="row-id">{c.id}</span>
                  </span>
                  <span className="row-title">{c.title}</span>
                  <span className="row-meta">
                    <span>{t(`channel.${c.channel}`)}</span>
                    <span>{fmtDateTime(c.times.reportedAt)}</span>
                    {c.dueNext !== undefined ? (
                      <span className={c.dueNext < now ? 'late' : c.dueNext - now < 3_600_000 ? 'soon' : ''}>
                        {c.dueNext < now
                          ? t('desk.overdueBy', { d: fmtDuration(now - c.dueNext) })
                          : t('desk.dueIn', { d: fmtDuration(c.dueNext - now) })}
                      </span>
                    ) : null}
                  </span>
                </a>
              </li>
            ))}
          </ul>
          {cursor ? (
            <button type="button" className="btn btn-block" onClick={() => void more()}>
              {t('desk.more')}
            </button>
          ) : null}
        </div>
      </section>
      <section className="detail" aria-label={t('desk.detail')}>
        {selectedId ? (
          <CaseDetailPane
            key={selectedId}
            id={selectedId}
            catalog={catalog.state === 'ready' ? catalog.data : undefined}
            onChanged={onChanged}
          />
        ) : (
          <div className="detail-empty">
            <span className="detail-empty-mark" aria-hidden="true" />
            <p>{t('desk.pick')}</p>
          </div>
        )}
      </section>
      <Dialog open={intakeOpen} title={t('intake.new')} onClose={() => setIntakeOpen(false)}>
        <IntakeForm
          catalog={catalog.state === 'ready' ? catalog.data : undefined}
          onCancel={() => setIntakeOpen(false)}
          onDone={(c) => {
            setIntakeOpen(false)
            setReloadTick((x) => x + 1)
            location.hash = hrefOf(screen, c.id)
          }}
        />
      </Dialog>
    </div>
  )
}

function FilterBar({
  filters,
  setFilters,
  catalog,
}: {
  filters: Filters
  setFilters: (f: Filters) => void
  catalog: Catalog | undefined
}) {
  const { t, i18n } = useTranslation()
  const toggle = (s: Stage) =>
    setFilters({
      ...filters,
      stage: filters.stage.includes(s) ? filters.stage.filter((x) => x !== s) : [...filters.stage, s],
    })
  return (
    <form
      className="filters"
      role="search"
      onSubmit={(e) => e.preventDefault()}
      aria-label={t('desk.filters')}
    >
      <div className="field">
        <label htmlFor="f-q">{t('desk.search')}</label>
        <input
          id="f-q"
          type="search"
          value={filters.q}
          onChange={(e) => setFilters({ ...filters, q: e.target.value })}
          placeholder={t('desk.searchHint')}
        />
      </div>
      <fieldset className="stage-filter">
        <legend>{t('desk.stage')}</legend>
        {STAGES.map((s) => (
          <button
            key={s}
            type="button"
            className={`chip ${filters.stage.includes(s) ? 'chip-on' : ''}`}
            aria-pressed={filters.stage.includes(s)}
            onClick={() => toggle(s)}
          >
            {t(`stage.${s}`)}
          </button>
        ))}
      </fieldset>
      <div className="filter-row">
        <div className="field">
          <label htmlFor="f-channel">{t('desk.channel')}</label>
          <select
            id="f-channel"
            value={filters.channel}
            onChange={(e) => setFilters({ ...filters, channel: e.target.value as Channel | '' })}
          >
            <option value="">{t('common.all')}</option>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {t(`channel.${c}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-class">{t('desk.class')}</label>
          <select
            id="f-class"
            value={filters.classId}
            onChange={(e) => setFilters({ ...filters, classId: e.target.value })}
          >
            <option value="">{t('common.all')}</option>
            {catalog?.classes.map((c) => (
              <option key={c.id} value={c.id}>
                {c.id} {i18n.language === 'en' ? c.nameEn : c.name}
              </option>
            ))}
          </select>
        </div>
        <label className="check check-overdue">
          <input
            type="checkbox"
            checked={filters.overdue}
            onChange={(e) => setFilters({ ...filters, overdue: e.target.checked })}
          />
          {t('desk.overdueOnly')}
        </label>
      </div>
    </form>
  )
}
