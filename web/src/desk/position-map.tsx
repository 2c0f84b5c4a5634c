import { useMemo } from 'react'
import { useTranslation } from 'react-i18next'
import type { GeoPoint } from '../api/types.ts'
import { Chart } from '../charts/chart.tsx'
import type { ChartOption } from '../charts/echarts.ts'
import { C } from '../charts/palette.ts'
import { loadRegionMap } from '../charts/region-maps.ts'
import { useLoad } from '../ui/hooks.ts'

/** Where the case is: its district's streets, zoomed on the point. Coordinates alone if polygons are missing. */
export function PositionMap({ at, districtCode }: { at: GeoPoint; districtCode: string | undefined }) {
  const { t } = useTranslation()
  const level = districtCode ? 'street' : 'district'
  const [regions] = useLoad(() => loadRegionMap(level, districtCode), [districtCode])
  const option = useMemo((): ChartOption | undefined => {
    if (regions.state !== 'ready') {
      return undefined
    }
    const names = new Map(regions.data.fc.features.map((f) => [f.properties.code, f.properties.name]))
    return {
      geo: {
        map: regions.data.name,
        nameProperty: 'code',
        roam: true,
        center: [at.lon, at.lat],
        zoom: level === 'street' ? 3 : 6,
        label: {
          show: true,
          color: 'rgba(215,230,255,0.6)',
          fontSize: 10,
          formatter: (p: { name: string }) => names.get(p.name) ?? '',
        },
        itemStyle: { areaColor: '#0b2150', borderColor: 'rgba(54,226,255,0.45)' },
        emphasis: { disabled: true },
        select: { disabled: true },
      },
      series: [
        {
          type: 'effectScatter',
          coordinateSystem: 'geo',
          symbolSize: 12,
          rippleEffect: { scale: 3.5, brushType: 'stroke' },
          itemStyle: { color: C.gold, shadowBlur: 10, shadowColor: C.gold },
          data: [[at.lon, at.lat]],
        },
      ],
    }
  }, [regions, level, at])
  if (!option) {
    return (
      <p className="hint">
        {regions.state === 'unavailable' ? t('desk.mapUnavailable') : t('common.loading')}
      </p>
    )
  }
  return (
    <Chart
      option={option}
      className="position-map"
      label={t('desk.positionLabel', { lon: at.lon.toFixed(5), lat: at.lat.toFixed(5) })}
    />
  )
}
