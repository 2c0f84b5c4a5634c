import { formatIsoDate } from '../calendar/civil-date.ts'
import type { Instant } from '../time.ts'
import { DAY, MINUTE } from '../time.ts'
import type { HealthReport } from './health-check.types.ts'
import { pct } from './report.ts'

/** Byte order mark: Excel reads a CSV as UTF-8 only when it starts with one. */
export const BOM = '\uFEFF'

/**
 * The report as CSV: one section per finding type, each a title row, a header row and its rows,
 * sections separated by an empty line. Starts with a BOM so Excel opens the Chinese correctly.
 */
export function reportCsv(r: HealthReport): string {
  const t = (at: Instant) => localTime(at, r.utcOffsetMinutes)
  const sections: (readonly unknown[])[][] = [
    [
      ['城市管理体检报告', r.region.name, r.region.code],
      ['统计期', t(r.from), t(r.to)],
      ['案件数', r.cases],
    ],
    [['摘要'], ...r.summary.map((s) => [s])],
    [
      ['反复出现的问题（热点）'],
      ['网格编码', '街道', '类别编码', '类别', '件数', '首次', '最近', '案件编号'],
      ...r.hotspots.map((h) => [
        h.cellCode ?? (h.center ? `约${r.rules.clusterRadiusM}米范围 ${h.center.lon},${h.center.lat}` : ''),
        h.streetName ?? h.streetCode ?? '',
        h.classId,
        h.className,
        h.count,
        t(h.firstAt),
        t(h.lastAt),
        h.caseIds.join(' '),
      ]),
    ],
    [
      ['处置慢的类别'],
      ['类别编码', '类别', '已处置件数', '中位处置时长（小时）', '结案件数', '按期结案件数', '按期结案率'],
      ...r.slowClasses.map((s) => [
        s.classId,
        s.className,
        s.handled,
        s.medianHandlingHours,
        s.closed,
        s.closedOnTime,
        s.onTimeRate !== undefined ? pct(s.onTimeRate) : '',
      ]),
    ],
    [
      ['返工率'],
      ['单位编码', '单位', '结案件数', '返工件数', '返工率', '偏高'],
      ...r.reworkUnits.map((u) => [
        u.unitId,
        u.unitName,
        u.closed,
        u.reworked,
        pct(u.rate),
        u.high ? '是' : '否',
      ]),
    ],
    [
      ['吹哨报到'],
      ['单位编码', '单位', '被吹哨', '按时报到', '迟到', '缺席', '未到期', '案件编号'],
      ...r.whistle.map((w) => [
        w.unitId,
        w.unitName,
        w.summoned,
        w.onTime,
        w.late,
        w.absent,
        w.pending,
        w.caseIds.join(' '),
      ]),
    ],
    [
      ['无人巡查的网格（盲区）'],
      ['街道编码', '街道', '网格数', '有到访', '无到访', '无到访网格编码'],
      ...r.blindSpots.map((b) => [
        b.streetCode,
        b.streetName,
        b.cells,
        b.visited,
        b.unvisited.length,
        b.unvisited.join(' '),
      ]),
    ],
  ]
  return (
    BOM +
    sections.map((rows) => rows.map((row) => row.map(csvField).join(',')).join('\r\n')).join('\r\n\r\n') +
    '\r\n'
  )
}

/** RFC 4180 field: quoted when it holds a comma, quote or line break; a leading =+-@ is defused for spreadsheets. */
function csvField(v: unknown): string {
  let s = text(v)
  if (/^[=+\-@]/.test(s) && typeof v === 'string') {
    s = `'${s}`
  }
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s
}

/** The report as one self-contained, printable HTML page in Simplified Chinese. */
export function reportHtml(r: HealthReport): string {
  const t = (at: Instant) => localTime(at, r.utcOffsetMinutes)
  const table = (head: readonly string[], rows: readonly (readonly unknown[])[], empty: string) =>
    rows.length
      ? `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
          .map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
          .join('')}</tbody></table>`
      : `<p class="none">${esc(empty)}</p>`
  const CELLS_SHOWN = 60
  const body = [
    `<h1>城市管理体检报告：${esc(r.region.name)}</h1>`,
    `<p class="meta">区域编码 ${esc(r.region.code)} · 统计期 ${esc(t(r.from))} 至 ${esc(t(r.to))} · 案件 ${r.cases} 件 · 生成于 ${esc(t(r.generatedAt))}</p>`,
    `<h2>一、摘要</h2>`,
    `<ul class="summary">${r.summary.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>`,
    `<h2>二、反复出现的问题</h2>`,
    `<p class="rule">同一类别在同一网格（无网格时约 ${r.rules.clusterRadiusM} 米范围）本期出现 ≥ ${r.rules.hotspotMinCases} 次。</p>`,
    table(
      ['网格/地点', '街道', '类别', '件数', '首次', '最近', '案件编号'],
      r.hotspots.map((h) => [
        h.cellCode ?? (h.center ? `${h.center.lon.toFixed(5)}, ${h.center.lat.toFixed(5)} 附近` : ''),
        h.streetName ?? h.streetCode ?? '',
        `${h.className}（${h.classId}）`,
        h.count,
        t(h.firstAt),
        t(h.lastAt),
        h.caseIds.join('、'),
      ]),
      '本期没有反复出现的问题。',
    ),
    `<h2>三、处置慢的类别</h2>`,
    `<p class="rule">派遣至处置完毕（含返工）的中位时长；至少 ${r.rules.slowMinCases} 件已处置的类别参与排名，列出最慢的 ${r.rules.slowTop} 类。</p>`,
    table(
      ['类别', '已处置', '中位处置时长（小时）', '结案', '按期结案', '按期结案率'],
      r.slowClasses.map((s) => [
        `${s.className}（${s.classId}）`,
        s.handled,
        s.medianHandlingHours,
        s.closed,
        s.closedOnTime,
        s.onTimeRate !== undefined ? pct(s.onTimeRate) : '—',
      ]),
      '没有达到件数门槛的类别。',
    ),
    `<h2>四、返工率</h2>`,
    `<p class="rule">返工率 = 至少一次核查不通过的结案件数 / 结案件数；结案不足 ${r.rules.reworkMinClosed} 件的单位不参与；≥ ${pct(r.rules.reworkHighRate)} 为偏高。</p>`,
    table(
      ['单位', '结案', '返工', '返工率', '偏高'],
      r.reworkUnits.map((u) => [u.unitName, u.closed, u.reworked, pct(u.rate), u.high ? '是' : '否']),
      '没有达到件数门槛的单位。',
    ),
    `<h2>五、吹哨报到</h2>`,
    `<p class="rule">本期发出的吹哨：在时限内报到为按时，超时报到为迟到，过时限仍未报到为缺席。</p>`,
    table(
      ['单位', '被吹哨', '按时报到', '迟到', '缺席', '未到期'],
      r.whistle.map((w) => [w.unitName, w.summoned, w.onTime, w.late, w.absent, w.pending]),
      '本期没有吹哨报到。',
    ),
    `<h2>六、无人巡查的网格</h2>`,
    `<p class="rule">本期既无巡查上报（巡查渠道诉求）也无监督员核查的网格。</p>`,
    table(
      ['街道', '网格数', '有到访', '无到访', '无到访网格（节选）'],
      r.blindSpots.map((b) => [
        b.streetName,
        b.cells,
        b.visited,
        b.unvisited.length,
        b.unvisited.slice(0, CELLS_SHOWN).join(' ') +
          (b.unvisited.length > CELLS_SHOWN ? ` …等 ${b.unvisited.length} 个（完整清单见 CSV）` : ''),
      ]),
      '区域内没有网格。',
    ),
  ].join('\n')
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>城市管理体检报告 - ${esc(r.region.name)}</title>
<style>
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:2em auto;max-width:60em;color:#111;line-height:1.5}
h1{font-size:1.6em;border-bottom:2px solid #333;padding-bottom:.3em}
h2{font-size:1.2em;margin-top:1.6em;border-left:4px solid #a00;padding-left:.5em}
table{border-collapse:collapse;width:100%;font-size:.9em;margin:.5em 0}
th,td{border:1px solid #999;padding:.25em .5em;text-align:left;vertical-align:top;word-break:break-all}
th{background:#eee}
.meta,.rule{color:#555;font-size:.9em}
.none{color:#555;font-style:italic}
@media print{body{margin:0;max-width:none;font-size:10.5pt}h2{break-after:avoid}tr{break-inside:avoid}thead{display:table-header-group}}
@page{size:A4;margin:15mm}
</style>
</head>
<body>
${body}
</body>
</html>
`
}

/** Local 'YYYY-MM-DD HH:mm' of an instant. */
export function localTime(at: Instant, utcOffsetMinutes: number): string {
  const local = at + utcOffsetMinutes * MINUTE
  const day = Math.floor(local / DAY)
  const minutes = Math.floor((local - day * DAY) / MINUTE)
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0')
  const mm = String(minutes % 60).padStart(2, '0')
  return `${formatIsoDate(day)} ${hh}:${mm}`
}

function esc(v: unknown): string {
  return text(v)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')
}

/** Cells hold strings and numbers; anything else prints empty rather than as '[object Object]'. */
function text(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : ''
}
