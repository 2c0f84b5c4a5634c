export * from './health-check.types.ts'
export {
  blindSpots,
  findingsOf,
  hotspots,
  median,
  metres,
  reworkUnits,
  slowClasses,
  summonsOutcome,
  whistleAttendance,
} from './analysis.ts'
export { buildReport, summarize, pct, type ReportInput } from './report.ts'
export { reportCsv, reportHtml, localTime, BOM } from './render.ts'
export { periodRange, localMidnight } from './period.ts'
