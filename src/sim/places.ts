import type { GeoPoint } from '../core/case/case.types.ts'
import type { Rng } from '../geo/prng.ts'

/** Real places in 东城 and 西城 (WGS84, approximate) where demo appeals happen. */
export const DEMO_PLACES: readonly { name: string; address: string; point: GeoPoint }[] = [
  { name: '什刹海', address: '西城区什刹海前海西街', point: { lon: 116.3849, lat: 39.9405 } },
  { name: '西单', address: '西城区西单北大街', point: { lon: 116.3736, lat: 39.9075 } },
  { name: '金融街', address: '西城区金融大街', point: { lon: 116.358, lat: 39.9144 } },
  { name: '德胜门', address: '西城区德胜门内大街', point: { lon: 116.3796, lat: 39.9478 } },
  { name: '广安门', address: '西城区广安门内大街', point: { lon: 116.351, lat: 39.8895 } },
  { name: '月坛', address: '西城区月坛南街', point: { lon: 116.3495, lat: 39.9171 } },
  { name: '展览路', address: '西城区展览路', point: { lon: 116.3437, lat: 39.9329 } },
  { name: '牛街', address: '西城区牛街', point: { lon: 116.3641, lat: 39.885 } },
  { name: '陶然亭', address: '西城区太平街', point: { lon: 116.3863, lat: 39.8787 } },
  { name: '新街口', address: '西城区新街口北大街', point: { lon: 116.3676, lat: 39.9405 } },
  { name: '王府井', address: '东城区王府井大街', point: { lon: 116.4109, lat: 39.9149 } },
  { name: '东直门', address: '东城区东直门内大街', point: { lon: 116.4338, lat: 39.9415 } },
  { name: '鼓楼', address: '东城区鼓楼东大街', point: { lon: 116.394, lat: 39.9487 } },
  { name: '天坛', address: '东城区天坛东路', point: { lon: 116.4066, lat: 39.8822 } },
  { name: '和平里', address: '东城区和平里北街', point: { lon: 116.4179, lat: 39.9588 } },
  { name: '朝阳门', address: '东城区朝阳门内大街', point: { lon: 116.4341, lat: 39.9244 } },
  { name: '北新桥', address: '东城区北新桥三条', point: { lon: 116.4166, lat: 39.9406 } },
  { name: '前门', address: '东城区前门大街', point: { lon: 116.3977, lat: 39.8991 } },
  { name: '交道口', address: '东城区交道口南大街', point: { lon: 116.4034, lat: 39.94 } },
  { name: '东四', address: '东城区东四北大街', point: { lon: 116.417, lat: 39.9255 } },
]

/** A point within about `meters` of a place. */
export function jitter(p: GeoPoint, meters: number, rnd: Rng): GeoPoint {
  const dLat = ((rnd() * 2 - 1) * meters) / 111_000
  const dLon = ((rnd() * 2 - 1) * meters) / (111_000 * Math.cos((p.lat * Math.PI) / 180))
  return { lon: +(p.lon + dLon).toFixed(6), lat: +(p.lat + dLat).toFixed(6) }
}
