import { useId, useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Counts, GeoPoint, RegionLevel } from '../api/types.ts'
import { Chart } from '../charts/chart.tsx'
import type { ChartOption } from '../charts/echarts.ts'
import { loadRegionMap, type RegionMap } from '../charts/region-maps.ts'
import { C, TOOLTIP } from '../charts/palette.ts'
import { useLoad, type Loadable } from '../ui/hooks.ts'
import { StateNote } from '../ui/parts.tsx'

/** One step of the drill path: the city, a district, a street. */
export interface MapLevel {
  readonly level: RegionLevel
  /** parent region whose children are drawn; absent = the whole city */
  readonly parent?: string
  readonly name: string
}

export interface MapMarker {
  readonly id: string
  readonly at: GeoPoint
  readonly kind: 'open' | 'new' | 'alarm' | 'urgent' | 'team'
  readonly label: string
}

const CHILD: Partial<Record<RegionLevel, RegionLevel>> = { district: 'street', street: 'grid' }

/**
 * The map of Beijing from our own region polygons: case heat per region, pulsing markers for new
 * cases and alarms, click to drill district → street → grid. `focus` (an emergency) starts drilled
 * into one region and paints it red.
 */
export function CityMap({
  heat,
  markers,
  emergency,
  start,
  onRegion,
}: {
  heat: Counts | undefined
  markers: readonly MapMarker[]
  emergency?: boolean
  /** drill path to start from (an incident's region); remount with a new `key` to change it */
  start?: readonly MapLevel[]
  onRegion?: (code: string, name: string, level: RegionLevel) => void
}) {
  const { t } = useTranslation()
  const root: MapLevel = useMemo(() => ({ level: 'district', name: t('map.city') }), [t])
  const [path, setPath] = useState<readonly MapLevel[]>(() => start ?? [root])
  const current = path[path.length - 1] ?? root
  const [regions] = useLoad(
    () => loadRegionMap(current.level, current.parent),
    [current.level, current.parent],
  )
  const option = useMapOption(regions, heat, markers, emergency ?? false)
  const pickerId = useId()

  const drill = (code: string) => {
    if (regions.state !== 'ready') {
      return
    }
    const f = regions.data.fc.features.find((x) => x.properties.code === code)
    if (!f) {
      return
    }
    onRegion?.(code, f.properties.name, regions.data.level)
    const next = CHILD[regions.data.level]
    if (next) {
      setPath([...path, { level: next, parent: code, name: f.properties.name }])
    }
  }

  return (
    <div className="city-map">
      <nav className="map-crumbs" aria-label={t('map.path')}>
        {path.map((p, i) =>
          i < path.length - 1 ? (
            <button key={i} type="button" className="crumb" onClick={() => setPath(path.slice(0, i + 1))}>
              {i === 0 ? t('map.city') : p.name}
            </button>
          ) : (
            <span key={i} className="crumb crumb-current" aria-current="location">
              {i === 0 ? t('map.city') : p.name}
            </span>
          ),
        )}
        <span className="map-level">{t(`map.level.${current.level}`)}</span>
        {regions.state === 'ready' && CHILD[regions.data.level] ? (
          // The canvas is not reachable by keyboard or screen reader: the same drill-down as a select.
          <>
            <label className="sr-only" htmlFor={pickerId}>
              {t('map.drillTo')}
            </label>
            <select
              id={pickerId}
              className="map-picker"
              value=""
              onChange={(e) => e.target.value && drill(e.target.value)}
            >
              <option value="">{t('map.drillTo')}…</option>
              {[...regions.data.fc.features]
                .sort((a, b) => a.properties.code.localeCompare(b.properties.code))
                .map((f) => (
                  <option key={f.properties.code} value={f.properties.code}>
                    {f.properties.name}
                  </option>
                ))}
            </select>
          </>
        ) : null}
      </nav>
      {regions.state === 'ready' && option ? (
        <Chart
          option={option}
          replace
          label={t('map.label', { name: current.name })}
          onClick={(p) => {
            if (p.seriesType === 'map' || p.componentType === 'geo') {
              drill(p.name ?? '')
            }
          }}
        />
      ) : (
        <StateNote state={regions} what="GET /api/v1/regions" />
      )}
      <ul className="map-legend" aria-label={t('map.legend')}>
        <li>
          <i className="dot dot-open" />
          {t('map.openCase')}
        </li>
        <li>
          <i className="dot dot-new" />
          {t('map.newCase')}
        </li>
        <li>
          <i className="dot dot-urgent" />
          {t('map.urgent')}
        </li>
        <li>
          <i className="dot dot-alarm" />
          {t('map.alarm')}
        </li>
        {markers.some((m) => m.kind === 'team') ? (
          <li>
            <i className="dot dot-team" />
            {t('map.team')}
          </li>
        ) : null}
      </ul>
    </div>
  )
}

const MARKER_COLOR: Record<MapMarker['kind'], string> = {
  open: 'rgba(120,200,255,0.75)',
  new: C.cyan,
  urgent: C.gold,
  alarm: C.red,
  team: C.green,
}

function useMapOption(
  regions: Loadable<RegionMap>,
  heat: Counts | undefined,
  markers: readonly MapMarker[],
  emergency: boolean,
): ChartOption | undefined {
  return useMemo(() => {
    if (regions.state !== 'ready') {
      return undefined
    }
    const { name: map, level, fc } = regions.data
    const names = new Map(fc.features.map((f) => [f.properties.code, f.properties.name]))
    const data = [...names.keys()].map((code) => ({ name: code, value: heat?.[code] ?? 0 }))
    const max = Math.max(1, ...data.map((d) => d.value))
    const accent = emergency ? C.red : C.cyan
    const showLabels = level !== 'grid'
    const byKind = (k: MapMarker['kind']) =>
      markers.filter((m) => m.kind === k).map((m) => ({ name: m.label, value: [m.at.lon, m.at.lat] }))
    return {
      tooltip: {
        ...TOOLTIP,
        trigger: 'item',
        formatter: (p: { name?: string; value?: unknown; seriesType?: string }) =>
          p.seriesType === 'map'
            ? `${names.get(p.name ?? '') ?? p.name}<br/>${Number(p.value) || 0}`
            : (p.name ?? ''),
      },
      visualMap: {
        show: true,
        min: 0,
        max,
        left: 12,
        bottom: 12,
        itemWidth: 10,
        itemHeight: 90,
        calculable: false,
        seriesIndex: 0,
        textStyle: { color: C.dim, fontSize: 11 },
        inRange: {
          color: emergency
            ? ['#1a0b18', '#5a1326', '#c02a3c', '#ff6b6b']
            : ['#0a2250', '#11407f', '#1b6fb3', '#2bb5e6', '#7ff2ff'],
        },
      },
      geo: {
        map,
        nameProperty: 'code',
        roam: true,
        scaleLimit: { min: 0.8, max: 12 },
        layoutCenter: ['50%', '52%'],
        layoutSize: '96%',
        label: {
          show: showLabels,
          color: 'rgba(215,230,255,0.78)',
          fontSize: level === 'district' ? 12 : 10,
          formatter: (p: { name: string }) => names.get(p.name) ?? p.name,
        },
        itemStyle: {
          areaColor: '#0a2250',
          borderColor: emergency ? 'rgba(255,77,94,0.7)' : 'rgba(54,226,255,0.55)',
          borderWidth: 1,
          shadowColor: accent,
          shadowBlur: 6,
        },
        emphasis: {
          label: { show: true, color: '#fff' },
          itemStyle: { areaColor: emergency ? '#7a1a2a' : '#1d5fa8', borderColor: '#fff', borderWidth: 1.5 },
        },
        select: { disabled: true },
      },
      series: [
        { type: 'map', geoIndex: 0, data },
        {
          type: 'scatter',
          coordinateSystem: 'geo',
          symbolSize: 4,
          itemStyle: { color: MARKER_COLOR.open, shadowBlur: 4, shadowColor: C.cyan },
          data: byKind('open'),
          zlevel: 1,
        },
        ...(['new', 'urgent', 'alarm', 'team'] as const).map((k) => ({
          type: 'effectScatter',
          coordinateSystem: 'geo',
          symbolSize: k === 'team' ? 8 : 10,
          rippleEffect: { scale: 4, brushType: 'stroke' },
          itemStyle: { color: MARKER_COLOR[k], shadowBlur: 10, shadowColor: MARKER_COLOR[k] },
          data: byKind(k),
          zlevel: 2,
        })),
      ],
    } satisfies ChartOption
  }, [regions, heat, markers, emergency])
}
