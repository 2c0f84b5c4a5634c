import type { GeoPoint } from '../case/case.types.ts'
import { MINUTE } from '../time.ts'
import type { DuplicateCandidate, DuplicateProbe } from './duplicates.ts'

/** 什刹海 前海西街, WGS84. */
export const SHICHAHAI: GeoPoint = { lon: 116.3849, lat: 39.9405 }

/** A point `north` and `east` metres from `p` (flat-earth offsets: fine at tens of metres). */
export function offset(p: GeoPoint, north: number, east: number): GeoPoint {
  const lat = p.lat + north / 111_320
  return { lat, lon: p.lon + east / (111_320 * Math.cos((p.lat * Math.PI) / 180)) }
}

const T0 = 1_772_413_200_000 // 2026-03-02T09:00:00+08:00

/** Ten reports of one overflowing bin at 什刹海, three channels' wording, within an hour and 15 m. */
export const BIN_REPORTS: readonly (DuplicateProbe & { channel: 'hotline' | 'patrol' | 'open311' })[] = [
  ['hotline', '市民来电反映：什刹海前海西街路边的垃圾桶满了，垃圾溢出来撒了一地，希望尽快清运。', 0, 0],
  ['patrol', '前海西街垃圾桶满溢，周边散落垃圾', 4, -3],
  ['open311', '什刹海前海西街垃圾箱已经满了好几个小时，垃圾溢到地上，没人清运', -5, 6],
  ['patrol', '市民反映前海西街路边垃圾桶爆满，塑料袋都掉在地上了，气味难闻', 8, 2],
  ['hotline', '什刹海前海西街垃圾桶满溢未清运', -2, -7],
  ['open311', '垃圾桶满了溢出来了，前海西街这边，请尽快清理', 10, -4],
  ['hotline', '来电人称什刹海前海西街的垃圾桶早上就满了，现在垃圾堆在桶外面', -9, 1],
  ['patrol', '前海西街路侧垃圾桶满溢，桶边有散落垃圾袋', 3, 9],
  ['open311', 'Overflowing trash bin 什刹海前海西街 垃圾桶满溢 垃圾撒在路边', -6, -8],
  ['hotline', '市民反映前海西街垃圾桶装不下了，垃圾溢出，影响游客通行', 6, 11],
].map(([channel, text, north, east], i) => ({
  channel: channel as 'hotline' | 'patrol' | 'open311',
  text: text as string,
  at: T0 + i * 6 * MINUTE,
  location: offset(SHICHAHAI, north as number, east as number),
  streetCode: '110102011',
  classId: 'E0109',
}))

/** Reports near the bin that are NOT the same problem. */
export const NOT_THE_BIN: readonly DuplicateProbe[] = [
  // a broken street light 20 m away
  {
    text: '什刹海前海西街路灯不亮了，晚上走路很黑',
    at: T0 + 20 * MINUTE,
    location: offset(SHICHAHAI, 20, 0),
    streetCode: '110102011',
    classId: 'C0111',
  },
  // another overflowing bin 300 m away
  {
    text: '前海西街北口垃圾桶满溢，垃圾散落',
    at: T0 + 30 * MINUTE,
    location: offset(SHICHAHAI, 300, 0),
    streetCode: '110102011',
    classId: 'E0109',
  },
  // illegal parking right next to it
  {
    text: '前海西街垃圾桶旁边有辆车乱停，挡住了清运车',
    at: T0 + 35 * MINUTE,
    location: offset(SHICHAHAI, 5, 5),
    streetCode: '110102011',
    classId: 'E0504',
  },
  // the same bin, but two days later: a new problem
  {
    text: '前海西街垃圾桶又满了，垃圾溢出',
    at: T0 + 49 * 60 * MINUTE,
    location: offset(SHICHAHAI, 2, 2),
    streetCode: '110102011',
    classId: 'E0109',
  },
  // exposed garbage (same major 市容环境) 15 m away, said differently
  {
    text: '前海西街绿地里有人扔了一堆装修垃圾',
    at: T0 + 40 * MINUTE,
    location: offset(SHICHAHAI, -15, 0),
    streetCode: '110102011',
    classId: 'E0101',
  },
  // a road surface collapse 10 m away
  {
    text: '前海西街路面塌陷了一个坑，很危险',
    at: T0 + 45 * MINUTE,
    location: offset(SHICHAHAI, 0, 10),
    streetCode: '110102011',
    classId: 'E0401',
  },
]

/** The bin's case as a candidate (the first report). */
export function binCase(caseId = 'C-bin'): DuplicateCandidate {
  const first = BIN_REPORTS[0]
  return {
    caseId,
    text: first.text,
    at: first.at,
    location: first.location!,
    streetCode: '110102011',
    classId: 'E0109',
  }
}
