/** ECharts options for the cockpit's charts: pure functions of data and labels. */
import type { ChartOption } from '../charts/echarts.ts'
import { C, CHANNEL_COLOR, TOOLTIP } from '../charts/palette.ts'
import type { Counts, Trend } from '../api/types.ts'

const axisLabel = { color: C.dim, fontSize: 12 }
const splitLine = { lineStyle: { color: C.faint, type: 'dashed' as const } }

/** Cases by channel: a ring with the total in the middle. */
export function channelRing(counts: Counts, label: (k: string) => string, totalLabel: string): ChartOption {
  const data = Object.entries(counts)
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => ({ name: label(k), value: v, itemStyle: { color: CHANNEL_COLOR[k] ?? C.blue } }))
  const total = data.reduce((s, d) => s + d.value, 0)
  return {
    tooltip: { ...TOOLTIP, trigger: 'item', formatter: '{b}: {c} ({d}%)' },
    legend: {
      orient: 'vertical',
      right: 4,
      top: 'middle',
      itemWidth: 10,
      itemHeight: 10,
      icon: 'circle',
      textStyle: { color: C.text, fontSize: 12 },
    },
    series: [
      {
        type: 'pie',
        radius: ['56%', '78%'],
        center: ['34%', '50%'],
        padAngle: 2,
        itemStyle: {
          borderRadius: 3,
          borderColor: '#061431',
          borderWidth: 2,
          shadowBlur: 12,
          shadowColor: 'rgba(54,226,255,0.25)',
        },
        label: {
          show: true,
          position: 'center',
          formatter: () => `{n|${total.toLocaleString()}}\n{t|${totalLabel}}`,
          rich: {
            n: { fontSize: 26, fontWeight: 700, color: '#fff', lineHeight: 32 },
            t: { fontSize: 12, color: C.dim },
          },
        },
        emphasis: { scale: true, scaleSize: 4, label: { show: true } },
        labelLine: { show: false },
        data,
      },
      {
        type: 'pie',
        radius: ['84%', '86%'],
        center: ['34%', '50%'],
        silent: true,
        label: { show: false },
        itemStyle: { color: 'rgba(54,226,255,0.35)' },
        data: [1],
      },
    ],
  }
}

/** Cases by stage along the closed loop: horizontal bars in loop order. */
export function stageBars(
  counts: Counts,
  order: readonly string[],
  label: (k: string) => string,
): ChartOption {
  const rows = order.filter((s) => counts[s] !== undefined)
  return {
    tooltip: { ...TOOLTIP, trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 44, top: 6, bottom: 4, containLabel: true },
    xAxis: { type: 'value', axisLabel: { show: false }, splitLine },
    yAxis: {
      type: 'category',
      inverse: true,
      data: rows.map(label),
      axisLabel: { ...axisLabel, color: C.text },
      axisLine: { show: false },
      axisTick: { show: false },
    },
    series: [
      {
        type: 'bar',
        data: rows.map((s) => counts[s] ?? 0),
        barWidth: 10,
        showBackground: true,
        backgroundStyle: { color: 'rgba(61,139,255,0.08)', borderRadius: 5 },
        itemStyle: {
          borderRadius: 5,
          color: {
            type: 'linear',
            x: 0,
            y: 0,
            x2: 1,
            y2: 0,
            colorStops: [
              { offset: 0, color: 'rgba(61,139,255,0.5)' },
              { offset: 1, color: C.cyan },
            ],
          },
        },
        label: { show: true, position: 'right', color: C.text, fontSize: 12, fontFamily: 'var(--num-font)' },
      },
    ],
  }
}

/** Top classes: vertical bars, gold. */
export function classBars(counts: Counts, name: (id: string) => string, top = 8): ChartOption {
  const rows = Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
  return {
    tooltip: { ...TOOLTIP, trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 40, top: 6, bottom: 4, containLabel: true },
    xAxis: { type: 'value', axisLabel: { show: false }, splitLine },
    yAxis: {
      type: 'category',
      inverse: true,
      data: rows.map(([id]) => name(id)),
      axisLabel: { ...axisLabel, color: C.text, width: 110, overflow: 'truncate' },
      axisLine: { show: false },
      axisTick: { show: false },
    },
    series: [
      {
        type: 'bar',
        data: rows.map(([, v]) => v),
        barWidth: 10,
        itemStyle: {
          borderRadius: 5,
          color: {
            type: 'linear',
            x: 0,
            y: 0,
            x2: 1,
            y2: 0,
            colorStops: [
              { offset: 0, color: 'rgba(255,198,92,0.35)' },
              { offset: 1, color: C.gold },
            ],
          },
        },
        label: { show: true, position: 'right', color: C.text, fontSize: 12 },
      },
    ],
  }
}

/** Daily cases with the forecast's band: a stacked lower/width pair draws the band. */
export function trendLines(
  trend: Trend,
  labels: { actual: string; forecast: string; band: string },
): ChartOption {
  const fc = trend.forecast ?? []
  const dates = [
    ...trend.days.map((d) => d.date),
    ...fc.map((f) => f.date).filter((d) => !trend.days.some((x) => x.date === d)),
  ]
  const actual = new Map(trend.days.map((d) => [d.date, d.count]))
  const forecast = new Map(fc.map((f) => [f.date, f]))
  const short = (d: string) => d.slice(5)
  return {
    tooltip: { ...TOOLTIP, trigger: 'axis' },
    legend: {
      top: 0,
      right: 4,
      itemWidth: 14,
      itemHeight: 6,
      textStyle: { color: C.dim, fontSize: 12 },
      data: [labels.actual, labels.forecast],
    },
    grid: { left: 6, right: 10, top: 26, bottom: 4, containLabel: true },
    xAxis: {
      type: 'category',
      boundaryGap: false,
      data: dates.map(short),
      axisLabel,
      axisLine: { lineStyle: { color: C.faint } },
    },
    yAxis: { type: 'value', axisLabel, splitLine },
    series: [
      {
        name: 'band-lower',
        type: 'line',
        stack: 'band',
        symbol: 'none',
        lineStyle: { opacity: 0 },
        tooltip: { show: false },
        data: dates.map((d) => forecast.get(d)?.lower ?? null),
      },
      {
        name: labels.band,
        type: 'line',
        stack: 'band',
        symbol: 'none',
        lineStyle: { opacity: 0 },
        areaStyle: { color: 'rgba(155,123,255,0.22)' },
        tooltip: { show: false },
        data: dates.map((d) => {
          const f = forecast.get(d)
          return f ? f.upper - f.lower : null
        }),
      },
      {
        name: labels.actual,
        type: 'line',
        smooth: true,
        symbol: 'none',
        lineStyle: { width: 2, color: C.cyan, shadowBlur: 8, shadowColor: C.cyan },
        itemStyle: { color: C.cyan },
        areaStyle: {
          color: {
            type: 'linear',
            x: 0,
            y: 0,
            x2: 0,
            y2: 1,
            colorStops: [
              { offset: 0, color: 'rgba(54,226,255,0.28)' },
              { offset: 1, color: 'rgba(54,226,255,0)' },
            ],
          },
        },
        data: dates.map((d) => actual.get(d) ?? null),
      },
      {
        name: labels.forecast,
        type: 'line',
        smooth: true,
        symbol: 'none',
        lineStyle: { width: 2, type: 'dashed', color: C.violet },
        itemStyle: { color: C.violet },
        data: dates.map((d) => forecast.get(d)?.mean ?? null),
      },
    ],
  }
}
