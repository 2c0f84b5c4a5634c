import { useEffect, useRef } from 'react'
import { echarts, type ChartOption } from './echarts.ts'

type Instance = ReturnType<typeof echarts.init>

export interface ChartClick {
  readonly name?: string
  readonly data?: unknown
  readonly seriesType?: string
  readonly componentType?: string
}

export interface ChartProps {
  readonly option: ChartOption
  /** text for screen readers: the chart's gist in words */
  readonly label: string
  readonly className?: string
  readonly onClick?: (params: ChartClick) => void
  /** replace rather than merge (a map drill-down swaps series) */
  readonly replace?: boolean
}

/** One ECharts instance bound to a div, resized with its box. */
export function Chart({ option, label, className, onClick, replace }: ChartProps) {
  const el = useRef<HTMLDivElement>(null)
  const chart = useRef<Instance | undefined>(undefined)
  const click = useRef(onClick)
  click.current = onClick

  useEffect(() => {
    if (!el.current) {
      return
    }
    const c = echarts.init(el.current, undefined, { renderer: 'canvas' })
    chart.current = c
    c.on('click', (p) => click.current?.(p as ChartClick))
    const box = el.current
    // A hidden or collapsed box has no size to lay out into.
    const ro = new ResizeObserver(() => box.clientWidth && box.clientHeight && c.resize())
    ro.observe(el.current)
    return () => {
      ro.disconnect()
      c.dispose()
      chart.current = undefined
    }
  }, [])

  useEffect(() => {
    // Applied at once, not lazily: updates are already coalesced upstream (about 2/s), and a resize
    // landing between a lazy setOption and its frame finds a half-built geo component.
    chart.current?.setOption(option, { notMerge: replace ?? false })
  }, [option, replace])

  return <div ref={el} className={`chart ${className ?? ''}`} role="img" aria-label={label} />
}
