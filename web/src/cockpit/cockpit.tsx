import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { STAGES } from '../../../src/core/case/case.types.ts'
import { api } from '../api/endpoints.ts'
import { connectLive, type LiveStatus } from '../api/live.ts'
import type { LiveEvent, Overview } from '../api/types.ts'
import { useUser } from '../auth/session.tsx'
import { Chart } from '../charts/chart.tsx'
import { fmtTime } from '../ui/format.ts'
import { useLoad, useNow } from '../ui/hooks.ts'
import { Panel, StateNote } from '../ui/parts.tsx'
import { channelRing, classBars, stageBars, trendLines } from './chart-options.ts'
import { CityMap } from './city-map.tsx'
import { EmergencyButton, EmergencyView, mayCommand } from './emergency.tsx'
import { KpiTiles } from './kpi-tiles.tsx'
import { LiveFeed } from './live-feed.tsx'
import { feedItem, feedItemOfCase, markersOf, mergeFeed, openMarkers, type FeedItem } from './live-model.ts'
import { loadOverview, overviewFromEvent } from './metrics-source.ts'
import { RankingsTable } from './rankings-table.tsx'

/** An estimate is recomputed from case pages at most this often however busy the city is. */
const ESTIMATE_REFRESH_MS = 20_000
const SERVER_REFRESH_MS = 5_000
const ENRICH_PER_BATCH = 6

/** The leadership cockpit: the city's vital signs, live; emergency command mode when it is on. */
export function Cockpit() {
  const { t, i18n } = useTranslation()
  const user = useUser()
  const now = useNow(15_000)
  const [ov, reloadOverview] = useLoad(() => loadOverview(Date.now()), [])
  const [catalog] = useLoad(() => api.catalog(), [])
  const [trend] = useLoad(() => api.trend(60), [])
  const [ranks] = useLoad(() => api.rankings('month', 'street'), [])
  const [emergency, reloadEmergency] = useLoad(() => api.emergency(), [])
  const [feed, setFeed] = useState<readonly FeedItem[]>([])
  const [pushed, setPushed] = useState<Overview>()
  const [live, setLive] = useState<LiveStatus>('connecting')
  const [selected, setSelected] = useState<{ code: string; name: string }>()

  // The first lines of the feed are the newest cases already in the store.
  useEffect(() => {
    if (ov.state === 'ready') {
      setFeed((f) => mergeFeed(f, ov.data.recent.slice(0, 20).map(feedItemOfCase)))
    }
  }, [ov])

  const source = ov.state === 'ready' ? ov.data.source : undefined
  const lastReload = useRef(0)
  const pending = useRef<ReturnType<typeof setTimeout>>(undefined)
  const scheduleReload = useCallback(() => {
    if (pending.current) {
      return
    }
    const every = source === 'server' ? SERVER_REFRESH_MS : ESTIMATE_REFRESH_MS
    const wait = Math.max(0, lastReload.current + every - Date.now())
    pending.current = setTimeout(() => {
      pending.current = undefined
      lastReload.current = Date.now()
      reloadOverview()
    }, wait)
  }, [source, reloadOverview])
  useEffect(() => () => clearTimeout(pending.current), [])

  const onBatch = useCallback(
    (events: readonly LiveEvent[]) => {
      const items = events.flatMap((e, i) => {
        const f = feedItem(e, i)
        return f ? [f] : []
      })
      if (items.length) {
        setFeed((f) => mergeFeed(f, items))
      }
      let numbersChanged = false
      for (const e of events) {
        if (e.type === 'metrics') {
          const o = overviewFromEvent(e.data)
          if (o) {
            setPushed(o)
          }
        } else if (e.type.startsWith('case.')) {
          numbersChanged = true
        } else if (e.type.startsWith('emergency.')) {
          reloadEmergency()
        }
      }
      if (numbersChanged) {
        scheduleReload()
      }
      // Events may carry only a case id: fetch a few titles and positions so the feed and map can show them.
      const bare = items
        .filter((f) => f.caseId && (!f.title || !f.location) && f.type === 'case.reported')
        .slice(0, ENRICH_PER_BATCH)
      if (bare.length) {
        void Promise.allSettled(bare.map((f) => api.case(f.caseId!))).then((rs) => {
          const got = new Map(
            rs.flatMap((r) => (r.status === 'fulfilled' ? [[r.value.id, r.value] as const] : [])),
          )
          if (!got.size) {
            return
          }
          setFeed((old) =>
            old.map((f) => {
              const c = f.caseId ? got.get(f.caseId) : undefined
              return c && f.type === 'case.reported' ? { ...feedItemOfCase(c), key: f.key, at: f.at } : f
            }),
          )
        })
      }
    },
    [reloadEmergency, scheduleReload],
  )

  useEffect(() => connectLive({ onBatch, onStatus: setLive }), [onBatch])

  const overview = pushed ?? (ov.state === 'ready' ? ov.data.overview : undefined)
  const className = useMemo(() => {
    const names = new Map(
      catalog.state === 'ready'
        ? catalog.data.classes.map((c) => [c.id, i18n.language === 'en' ? c.nameEn : c.name])
        : [],
    )
    return (id: string) => names.get(id) ?? id
  }, [catalog, i18n.language])
  const markers = useMemo(
    () => [...(ov.state === 'ready' ? openMarkers(ov.data.recent) : []), ...markersOf(feed, now)],
    [ov, feed, now],
  )
  const alarmMarkers = useMemo(() => markersOf(feed, now).filter((m) => m.kind === 'alarm'), [feed, now])

  if (emergency.state === 'ready' && emergency.data.active) {
    return (
      <EmergencyView state={emergency.data} user={user} onChanged={reloadEmergency} alarms={alarmMarkers} />
    )
  }

  const estimate = ov.state === 'ready' && ov.data.source === 'estimate'
  return (
    <div className="cockpit">
      <div className="cockpit-head">
        <h1 className="cockpit-title">
          <span className="title-deco" aria-hidden="true" />
          {t('cockpit.title')}
          <span className="title-deco title-deco-r" aria-hidden="true" />
        </h1>
        <div className="cockpit-status">
          <LiveBadge status={live} />
          {estimate ? (
            <span className="badge badge-estimate" title={t('cockpit.estimateHelp')}>
              {t('cockpit.estimate', { n: ov.data.sampleSize ?? 0 })}
            </span>
          ) : null}
          {overview?.at ? (
            <span className="badge">{t('cockpit.updated', { time: fmtTime(overview.at) })}</span>
          ) : null}
          {mayCommand(user) ? (
            <EmergencyButton state={emergency} selected={selected} onStarted={reloadEmergency} />
          ) : null}
        </div>
      </div>
      {ov.state === 'ready' || pushed ? (
        <KpiTiles o={overview} />
      ) : (
        <StateNote state={ov} onRetry={reloadOverview} />
      )}
      <div className="cockpit-grid">
        <div className="col">
          <Panel title={t('cockpit.byChannel')}>
            {overview ? (
              <Chart
                option={channelRing(overview.byChannel, (k) => t(`channel.${k}`), t('cockpit.cases'))}
                label={t('cockpit.byChannel')}
              />
            ) : null}
          </Panel>
          <Panel title={t('cockpit.byStage')}>
            {overview ? (
              <Chart
                option={stageBars(overview.byStage, STAGES, (k) => t(`stage.${k}`))}
                label={t('cockpit.byStage')}
              />
            ) : null}
          </Panel>
          <Panel title={t('cockpit.topClasses')}>
            {overview ? (
              <Chart option={classBars(overview.byClass, className)} label={t('cockpit.topClasses')} />
            ) : null}
          </Panel>
        </div>
        <Panel
          title={t('cockpit.map')}
          className="map-panel"
          extra={<span className="hint">{t('map.hint')}</span>}
        >
          <CityMap
            heat={overview?.byRegion}
            markers={markers}
            onRegion={(code, name) => setSelected({ code, name })}
          />
        </Panel>
        <div className="col">
          <Panel title={t('cockpit.trend')}>
            <StateNote state={trend} what="GET /api/v1/metrics/trend" />
            {trend.state === 'ready' ? (
              <Chart
                option={trendLines(trend.data, {
                  actual: t('cockpit.actual'),
                  forecast: t('cockpit.forecast'),
                  band: t('cockpit.band'),
                })}
                label={t('cockpit.trend')}
              />
            ) : null}
          </Panel>
          <Panel title={t('cockpit.rankings')} className="scroll">
            <StateNote state={ranks} what="GET /api/v1/rankings" />
            {ranks.state === 'ready' ? <RankingsTable rows={ranks.data.items.slice(0, 6)} compact /> : null}
          </Panel>
          <Panel title={t('cockpit.feed')} className="grow">
            <LiveFeed items={feed} linkCases />
          </Panel>
        </div>
      </div>
    </div>
  )
}

function LiveBadge({ status }: { status: LiveStatus }) {
  const { t } = useTranslation()
  return (
    <span className={`badge live live-${status}`} role="status">
      <i aria-hidden="true" />
      {t(`live.${status}`)}
    </span>
  )
}
