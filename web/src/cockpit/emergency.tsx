import { useMemo, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { OPEN_STAGES } from '../../../src/core/case/case.types.ts'
import { ApiError } from '../api/client.ts'
import { api } from '../api/endpoints.ts'
import type { ApiCase, EmergencyState, GeoPoint, IncidentArea, User } from '../api/types.ts'
import { hrefOf } from '../routes.ts'
import { fmtDateTime, fmtDuration, fmtElapsed, fmtTime } from '../ui/format.ts'
import { useLoad, useNow, type Loadable } from '../ui/hooks.ts'
import { Dialog, FormFooter, Panel, StateNote } from '../ui/parts.tsx'
import { CityMap, type MapLevel, type MapMarker } from './city-map.tsx'

/** Who may switch the city into and out of emergency command mode. */
export function mayCommand(u: User): boolean {
  return u.role === 'leader' || u.role === 'admin'
}

/** Who may send instructions while the mode is on. */
function mayInstruct(u: User): boolean {
  return mayCommand(u) || u.role === 'dispatcher'
}

/** The leader's one-click switch, behind a confirmation. Disabled with a reason when the endpoint is missing. */
export function EmergencyButton({
  state,
  selected,
  onStarted,
}: {
  state: Loadable<EmergencyState>
  /** the region last clicked on the map, offered as the incident area */
  selected: { code: string; name: string } | undefined
  onStarted: () => void
}) {
  const { t } = useTranslation()
  const [open, setOpen] = useState(false)
  const disabled = state.state !== 'ready'
  const why =
    state.state === 'unavailable'
      ? t('emergency.unavailable')
      : state.state === 'error'
        ? state.message
        : undefined
  return (
    <>
      <button
        type="button"
        className="btn btn-emergency"
        aria-disabled={disabled}
        title={why}
        aria-describedby={why ? 'emergency-why' : undefined}
        onClick={() => !disabled && setOpen(true)}
      >
        <span className="siren" aria-hidden="true" />
        {t('emergency.start')}
      </button>
      {why ? (
        <span id="emergency-why" className="sr-only">
          {why}
        </span>
      ) : null}
      <Dialog open={open} title={t('emergency.confirmTitle')} onClose={() => setOpen(false)} tone="danger">
        <StartForm
          selected={selected}
          onCancel={() => setOpen(false)}
          onDone={() => {
            setOpen(false)
            onStarted()
          }}
        />
      </Dialog>
    </>
  )
}

function StartForm({
  selected,
  onCancel,
  onDone,
}: {
  selected: { code: string; name: string } | undefined
  onCancel: () => void
  onDone: () => void
}) {
  const { t } = useTranslation()
  const [districts] = useLoad(() => api.regions('district'), [])
  const [title, setTitle] = useState('')
  const [code, setCode] = useState(selected?.code ?? '')
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  const options = useMemo(() => {
    const list =
      districts.state === 'ready'
        ? districts.data.features.map((f) => ({ code: f.properties.code, name: f.properties.name }))
        : []
    return selected && !list.some((o) => o.code === selected.code) ? [selected, ...list] : list
  }, [districts, selected])

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const name = options.find((o) => o.code === code)?.name
    setBusy(true)
    try {
      await api.emergencyCommand({
        action: 'start',
        title: title.trim(),
        area: { kind: 'region', code, ...(name ? { name } : {}) },
      })
      onDone()
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err))
      setBusy(false)
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} className="form">
      <p className="dialog-warning">{t('emergency.confirmText')}</p>
      <div className="field">
        <label htmlFor="em-title">{t('emergency.title')}</label>
        <input
          id="em-title"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          required
          placeholder={t('emergency.titlePlaceholder')}
        />
      </div>
      <div className="field">
        <label htmlFor="em-area">{t('emergency.area')}</label>
        {options.length ? (
          <select id="em-area" value={code} onChange={(e) => setCode(e.target.value)} required>
            <option value="">{t('common.choose')}</option>
            {options.map((o) => (
              <option key={o.code} value={o.code}>
                {o.name}
              </option>
            ))}
          </select>
        ) : (
          <input
            id="em-area"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            required
            pattern="[0-9]{6,15}"
            placeholder="110101"
          />
        )}
      </div>
      <FormFooter
        error={error}
        onCancel={onCancel}
        submitLabel={t('emergency.confirm')}
        disabled={busy || !title.trim() || !code}
        tone="danger"
      />
    </form>
  )
}

function areaLabel(a: IncidentArea | undefined): string {
  if (!a) {
    return '—'
  }
  return a.kind === 'region'
    ? (a.name ?? a.code)
    : `${a.center.lon.toFixed(4)}, ${a.center.lat.toFixed(4)} · ${(a.radiusM / 1000).toFixed(1)} km`
}

/** The drill path that frames an incident region: a district shows its streets, a street its grids. */
function startPath(a: IncidentArea | undefined, city: string): readonly MapLevel[] | undefined {
  if (a?.kind !== 'region') {
    return undefined
  }
  const root: MapLevel = { level: 'district', name: city }
  if (a.code.length === 6) {
    return [root, { level: 'street', parent: a.code, name: a.name ?? a.code }]
  }
  if (a.code.length === 9) {
    return [
      root,
      { level: 'street', parent: a.code.slice(0, 6), name: a.code.slice(0, 6) },
      { level: 'grid', parent: a.code, name: a.name ?? a.code },
    ]
  }
  return undefined
}

function distanceM(a: GeoPoint, b: GeoPoint): number {
  const rad = Math.PI / 180
  const x = (b.lon - a.lon) * rad * Math.cos(((a.lat + b.lat) / 2) * rad)
  const y = (b.lat - a.lat) * rad
  return Math.sqrt(x * x + y * y) * 6_371_000
}

async function casesInside(a: IncidentArea | undefined): Promise<readonly ApiCase[]> {
  if (!a) {
    return []
  }
  if (a.kind === 'region') {
    return (await api.cases({ region: a.code, stage: OPEN_STAGES, limit: 100 })).items
  }
  const page = await api.cases({ stage: OPEN_STAGES, limit: 200 })
  return page.items.filter((c) => c.location && distanceM(c.location, a.center) <= a.radiusM)
}

/** The incident's middle: the circle's centre, else the mean position of its cases. */
function centreOf(a: IncidentArea | undefined, cases: readonly ApiCase[]): GeoPoint | undefined {
  if (a?.kind === 'circle') {
    return a.center
  }
  const pts = cases.flatMap((c) => (c.location ? [c.location] : []))
  if (!pts.length) {
    return undefined
  }
  return {
    lon: pts.reduce((s, p) => s + p.lon, 0) / pts.length,
    lat: pts.reduce((s, p) => s + p.lat, 0) / pts.length,
  }
}

/** The cockpit in emergency command mode: incident, its cases, nearest teams, command log, instructions. */
export function EmergencyView({
  state,
  user,
  onChanged,
  alarms,
}: {
  state: EmergencyState
  user: User
  onChanged: () => void
  alarms: readonly MapMarker[]
}) {
  const { t } = useTranslation()
  const now = useNow(1000)
  const [cases] = useLoad(() => casesInside(state.area), [state.id, JSON.stringify(state.area)])
  const centre = cases.state === 'ready' ? centreOf(state.area, cases.data) : undefined
  const [teams] = useLoad(() => api.teams(centre), [centre?.lon, centre?.lat])
  const [stopping, setStopping] = useState(false)
  const [confirmStop, setConfirmStop] = useState(false)

  const markers: MapMarker[] = [
    ...(cases.state === 'ready'
      ? cases.data.flatMap((c): MapMarker[] =>
          c.location
            ? [{ id: c.id, at: c.location, kind: c.priority === 'urgent' ? 'urgent' : 'new', label: c.title }]
            : [],
        )
      : []),
    ...(teams.state === 'ready'
      ? teams.data.flatMap((tm): MapMarker[] =>
          tm.location ? [{ id: tm.id, at: tm.location, kind: 'team', label: tm.name }] : [],
        )
      : []),
    ...alarms,
  ]
  const urgent =
    cases.state === 'ready' ? cases.data.filter((c) => c.priority === 'urgent').length : undefined
  const overdue =
    cases.state === 'ready'
      ? cases.data.filter((c) => c.dueNext !== undefined && c.dueNext < now).length
      : undefined

  const stop = async () => {
    setStopping(true)
    try {
      await api.emergencyCommand({ action: 'stop' })
      onChanged()
    } finally {
      setStopping(false)
      setConfirmStop(false)
    }
  }

  return (
    <div className="cockpit cockpit-emergency">
      <div className="em-banner" role="status">
        <span className="siren siren-on" aria-hidden="true" />
        <h1 className="em-title">
          {t('emergency.mode')} · {state.title ?? ''}
        </h1>
        <dl className="em-facts">
          <div>
            <dt>{t('emergency.area')}</dt>
            <dd>{areaLabel(state.area)}</dd>
          </div>
          <div>
            <dt>{t('emergency.startedAt')}</dt>
            <dd>{fmtDateTime(state.startedAt)}</dd>
          </div>
          <div>
            <dt>{t('emergency.elapsed')}</dt>
            <dd className="em-elapsed">{state.startedAt ? fmtElapsed(now - state.startedAt) : '—'}</dd>
          </div>
        </dl>
        {mayCommand(user) ? (
          <button type="button" className="btn btn-ghost em-stop" onClick={() => setConfirmStop(true)}>
            {t('emergency.stop')}
          </button>
        ) : null}
      </div>
      <ul className="kpis kpis-emergency" aria-label={t('emergency.kpis')}>
        <EmKpi
          label={t('emergency.casesInside')}
          value={cases.state === 'ready' ? cases.data.length : undefined}
        />
        <EmKpi label={t('emergency.urgent')} value={urgent} />
        <EmKpi label={t('kpi.overdue')} value={overdue} />
        <EmKpi
          label={t('emergency.teamsNear')}
          value={teams.state === 'ready' ? teams.data.length : undefined}
        />
        <EmKpi
          label={t('emergency.instructions')}
          value={state.log?.filter((l) => l.kind === 'instruct').length ?? 0}
        />
      </ul>
      <div className="em-grid">
        <div className="col">
          <Panel title={t('emergency.casesInside')} className="grow">
            <StateNote state={cases} />
            {cases.state === 'ready' ? <IncidentCases cases={cases.data} now={now} /> : null}
          </Panel>
          <Panel title={t('emergency.teamsNear')}>
            <StateNote state={teams} what="GET /api/v1/teams" />
            {teams.state === 'ready' ? (
              teams.data.length ? (
                <ul className="team-list">
                  {teams.data.map((tm) => (
                    <li key={tm.id}>
                      <span className="team-name">{tm.name}</span>
                      <span className="team-meta">
                        {tm.distance !== undefined ? `${(tm.distance / 1000).toFixed(1)} km` : ''}{' '}
                        {tm.status ? t(`teamStatus.${tm.status}`, { defaultValue: tm.status }) : ''}
                      </span>
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="note">{t('emergency.noTeams')}</p>
              )
            ) : null}
          </Panel>
        </div>
        <Panel title={t('emergency.map')} className="map-panel">
          <CityMap
            key={state.id ?? 'incident'}
            heat={undefined}
            markers={markers}
            emergency
            start={startPath(state.area, t('map.city'))}
          />
        </Panel>
        <div className="col">
          <Panel title={t('emergency.log')} className="grow">
            {state.log?.length ? (
              <ol className="cmd-log">
                {[...state.log].reverse().map((l, i) => (
                  <li key={`${l.at}-${i}`} className={`cmd cmd-${l.kind}`}>
                    <time>{fmtTime(l.at)}</time>
                    <span className="cmd-who">{l.actorName ?? l.actorId ?? ''}</span>
                    <span className="cmd-text">{l.text}</span>
                  </li>
                ))}
              </ol>
            ) : (
              <p className="note">{t('emergency.logEmpty')}</p>
            )}
          </Panel>
          {mayInstruct(user) ? (
            <Panel title={t('emergency.instruct')} className="fit">
              <InstructionBox onSent={onChanged} />
            </Panel>
          ) : null}
        </div>
      </div>
      <Dialog open={confirmStop} title={t('emergency.stopTitle')} onClose={() => setConfirmStop(false)}>
        <p>{t('emergency.stopText')}</p>
        <div className="form-actions">
          <button type="button" className="btn" onClick={() => setConfirmStop(false)}>
            {t('common.cancel')}
          </button>
          <button type="button" className="btn btn-primary" disabled={stopping} onClick={() => void stop()}>
            {t('emergency.stop')}
          </button>
        </div>
      </Dialog>
    </div>
  )
}

function EmKpi({ label, value }: { label: string; value: number | undefined }) {
  return (
    <li className="kpi kpi-red">
      <span className="kpi-label">{label}</span>
      <span className="kpi-value">{value ?? '—'}</span>
    </li>
  )
}

function IncidentCases({ cases, now }: { cases: readonly ApiCase[]; now: number }) {
  const { t } = useTranslation()
  if (!cases.length) {
    return <p className="note">{t('emergency.noCases')}</p>
  }
  return (
    <ul className="incident-cases">
      {cases.map((c) => (
        <li key={c.id} className={c.priority === 'urgent' ? 'urgent' : ''}>
          <a href={hrefOf('desk', c.id)}>{c.title}</a>
          <span className="ic-meta">
            {t(`stage.${c.stage}`)}
            {c.dueNext !== undefined ? (
              <span className={c.dueNext < now ? 'late' : ''}> · {fmtDuration(c.dueNext - now)}</span>
            ) : null}
          </span>
        </li>
      ))}
    </ul>
  )
}

/** Send one instruction to chosen units; the server records it in the command log and pushes it. */
function InstructionBox({ onSent }: { onSent: () => void }) {
  const { t } = useTranslation()
  const [units] = useLoad(() => api.units(), [])
  const [chosen, setChosen] = useState<readonly string[]>([])
  const [typed, setTyped] = useState('')
  const [text, setText] = useState('')
  const [filter, setFilter] = useState('')
  const [status, setStatus] = useState<{ ok: boolean; msg: string }>()
  const ids = units.state === 'ready' ? chosen : typed.split(/[,，\s]+/).filter(Boolean)

  const send = async (e: FormEvent) => {
    e.preventDefault()
    try {
      await api.emergencyCommand({ action: 'instruct', unitIds: ids, text: text.trim() })
      setText('')
      setChosen([])
      setStatus({ ok: true, msg: t('emergency.sent') })
      onSent()
    } catch (err) {
      setStatus({ ok: false, msg: err instanceof ApiError ? err.message : String(err) })
    }
  }

  const shown =
    units.state === 'ready'
      ? units.data.filter((u) => !filter || u.name.includes(filter) || u.id.includes(filter)).slice(0, 60)
      : []
  return (
    <form className="form instruct" onSubmit={(e) => void send(e)}>
      {units.state === 'ready' ? (
        <fieldset className="unit-picker">
          <legend>{t('emergency.units')}</legend>
          <label className="sr-only" htmlFor="unit-filter">
            {t('emergency.filterUnits')}
          </label>
          <input
            id="unit-filter"
            placeholder={t('emergency.filterUnits')}
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
          <div className="unit-options">
            {shown.map((u) => (
              <label key={u.id} className="check">
                <input
                  type="checkbox"
                  checked={chosen.includes(u.id)}
                  onChange={(e) =>
                    setChosen(e.target.checked ? [...chosen, u.id] : chosen.filter((x) => x !== u.id))
                  }
                />
                {u.name}
              </label>
            ))}
          </div>
        </fieldset>
      ) : (
        <div className="field">
          <label htmlFor="unit-ids">{t('emergency.unitIds')}</label>
          <input
            id="unit-ids"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            placeholder="u-xc-cgw, u-city-sw"
          />
        </div>
      )}
      <div className="field">
        <label htmlFor="instruct-text">{t('emergency.instructText')}</label>
        <textarea
          id="instruct-text"
          rows={3}
          value={text}
          onChange={(e) => setText(e.target.value)}
          required
        />
      </div>
      {status ? (
        <p className={status.ok ? 'form-ok' : 'form-error'} role="status">
          {status.msg}
        </p>
      ) : null}
      <button type="submit" className="btn btn-danger btn-block" disabled={!ids.length || !text.trim()}>
        {t('emergency.send', { count: ids.length })}
      </button>
    </form>
  )
}
