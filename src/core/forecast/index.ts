export type * from './forecast.types.ts'
export { evaluateForecast, forecastSeries, seasonalNaive } from './forecast.ts'
export {
  filterHoltWinters,
  fitHoltWinters,
  holtWintersMean,
  holtWintersVarianceFactor,
} from './holt-winters.ts'
export type { HoltWintersFit } from './holt-winters.ts'
