import type { Instant } from '../time.ts'

/** Every kind of device the city runs. Each has its quantities in {@link DEVICE_KINDS}. */
export const DEVICE_KIND_IDS = [
  'manhole-tilt',
  'water-level',
  'air-quality',
  'noise',
  'street-light',
  'bin-fill',
  'gas-pressure',
  'bridge-strain',
  'rain-gauge',
  'camera-ai',
] as const
export type DeviceKind = (typeof DEVICE_KIND_IDS)[number]

/** One measured quantity of a device kind: its unit and the range a healthy sensor can physically report. */
export interface QuantitySpec {
  readonly label: string
  /** The unit every stored reading of this quantity is in (no conversion happens on ingest). */
  readonly unit: string
  /** UN/CEFACT common code, as FIWARE Smart Data Models carry in `unitCode`. */
  readonly unitCode?: string
  /** Other spellings of the same unit a device may send (ASCII, the UN/CEFACT code). */
  readonly unitAliases?: readonly string[]
  readonly min: number
  readonly max: number
  /** Attribute name in the kind's Smart Data Model, where it differs from the quantity id. */
  readonly sdmAttribute?: string
}

export interface DeviceKindSpec {
  readonly label: string
  /** The quantity a bare `{ "value": … }` payload means. */
  readonly primary: string
  readonly quantities: Readonly<Record<string, QuantitySpec>>
  /** FIWARE Smart Data Model entity type for NGSI-LD ingest; `Device` where no observation model fits. */
  readonly smartDataModel: string
}

const ugm3 = { unit: 'µg/m³', unitCode: 'GQ', unitAliases: ['ug/m3', 'μg/m³', 'GQ'] } as const
const celsius = { unit: '°C', unitCode: 'CEL', unitAliases: ['C', 'degC', 'CEL'] } as const
const percent = { unit: '%', unitCode: 'P1', unitAliases: ['percent', 'P1'] } as const

/**
 * The device kinds as data. Ranges are physical plausibility limits (a reading outside is a broken
 * sensor or a unit mix-up, never an alarm); alarm thresholds live in rules.
 */
export const DEVICE_KINDS: Readonly<Record<DeviceKind, DeviceKindSpec>> = {
  'manhole-tilt': {
    label: '井盖倾斜 manhole cover tilt',
    primary: 'tilt',
    smartDataModel: 'Device',
    quantities: {
      tilt: {
        label: 'tilt angle',
        unit: '°',
        unitCode: 'DD',
        unitAliases: ['deg', 'degree', 'DD'],
        min: 0,
        max: 180,
      },
      battery: { label: 'battery', ...percent, min: 0, max: 100 },
    },
  },
  'water-level': {
    label: '水位 water level',
    primary: 'level',
    smartDataModel: 'WaterObserved',
    quantities: {
      level: {
        label: 'water level',
        unit: 'cm',
        unitCode: 'CMT',
        unitAliases: ['CMT'],
        min: -500,
        max: 3000,
        sdmAttribute: 'height',
      },
    },
  },
  'air-quality': {
    label: '空气质量 air quality',
    primary: 'pm25',
    smartDataModel: 'AirQualityObserved',
    quantities: {
      pm25: { label: 'PM2.5', ...ugm3, min: 0, max: 2000 },
      pm10: { label: 'PM10', ...ugm3, min: 0, max: 3000 },
      so2: { label: 'SO₂', ...ugm3, min: 0, max: 2000 },
      no2: { label: 'NO₂', ...ugm3, min: 0, max: 2000 },
      // µg/m³ as the Beijing stations publish it (China's AQI tables use mg/m³ for CO).
      co: { label: 'CO', ...ugm3, min: 0, max: 50000 },
      o3: { label: 'O₃', ...ugm3, min: 0, max: 2000 },
      temperature: { label: 'temperature', ...celsius, min: -60, max: 60 },
      humidity: {
        label: 'relative humidity',
        ...percent,
        min: 0,
        max: 100,
        sdmAttribute: 'relativeHumidity',
      },
      pressure: {
        label: 'air pressure',
        unit: 'hPa',
        unitCode: 'A97',
        unitAliases: ['A97'],
        min: 800,
        max: 1100,
        sdmAttribute: 'atmosphericPressure',
      },
      dewpoint: { label: 'dew point', ...celsius, min: -70, max: 40 },
      windSpeed: { label: 'wind speed', unit: 'm/s', unitCode: 'MTS', unitAliases: ['MTS'], min: 0, max: 80 },
    },
  },
  noise: {
    label: '噪声 noise',
    primary: 'laeq',
    smartDataModel: 'NoiseLevelObserved',
    quantities: {
      laeq: {
        label: 'LAeq',
        unit: 'dB(A)',
        unitCode: '2N',
        unitAliases: ['dBA', 'dB', '2N'],
        min: 20,
        max: 140,
        sdmAttribute: 'LAeq',
      },
      lamax: {
        label: 'LAmax',
        unit: 'dB(A)',
        unitCode: '2N',
        unitAliases: ['dBA', 'dB', '2N'],
        min: 20,
        max: 140,
        sdmAttribute: 'LAmax',
      },
    },
  },
  'street-light': {
    label: '路灯 street light',
    primary: 'power',
    smartDataModel: 'Streetlight',
    quantities: {
      power: { label: 'power draw', unit: 'W', unitCode: 'WTT', unitAliases: ['WTT'], min: 0, max: 2000 },
      // 0 = off, 1 = on; a lamp that draws power while commanded off is a fault rule, not a range error.
      on: {
        label: 'lamp on',
        unit: '1',
        unitCode: 'C62',
        unitAliases: ['C62'],
        min: 0,
        max: 1,
        sdmAttribute: 'powerState',
      },
      illuminance: {
        label: 'illuminance',
        unit: 'lx',
        unitCode: 'LUX',
        unitAliases: ['lux', 'LUX'],
        min: 0,
        max: 200000,
      },
    },
  },
  'bin-fill': {
    label: '垃圾桶满溢 bin fill',
    primary: 'fill',
    smartDataModel: 'WasteContainer',
    // The model's fillingLevel is a 0..1 ratio; devices here report percent, converted at the NGSI-LD boundary.
    quantities: {
      fill: { label: 'fill level', ...percent, min: 0, max: 100, sdmAttribute: 'fillingLevel' },
      temperature: { label: 'temperature', ...celsius, min: -40, max: 120 },
    },
  },
  'gas-pressure': {
    label: '燃气管网压力 gas pressure',
    primary: 'pressure',
    smartDataModel: 'Device',
    quantities: {
      pressure: {
        label: 'line pressure',
        unit: 'kPa',
        unitCode: 'KPA',
        unitAliases: ['KPA'],
        min: 0,
        max: 4000,
      },
      methane: { label: 'methane', unit: '%LEL', unitCode: 'P1', unitAliases: ['LEL'], min: 0, max: 100 },
    },
  },
  'bridge-strain': {
    label: '桥梁应变 bridge strain',
    primary: 'strain',
    smartDataModel: 'Device',
    quantities: {
      strain: { label: 'strain', unit: 'µε', unitAliases: ['ue', 'microstrain'], min: -5000, max: 5000 },
      displacement: {
        label: 'displacement',
        unit: 'mm',
        unitCode: 'MMT',
        unitAliases: ['MMT'],
        min: -1000,
        max: 1000,
      },
      acceleration: {
        label: 'vibration',
        unit: 'm/s²',
        unitCode: 'MSK',
        unitAliases: ['m/s2', 'MSK'],
        min: 0,
        max: 100,
      },
    },
  },
  'rain-gauge': {
    label: '雨量 rain gauge',
    primary: 'rainfall',
    smartDataModel: 'WeatherObserved',
    quantities: {
      // Rain fallen since the previous report; the rules work on this or on intensity.
      rainfall: {
        label: 'rainfall',
        unit: 'mm',
        unitCode: 'MMT',
        unitAliases: ['MMT'],
        min: 0,
        max: 500,
        sdmAttribute: 'precipitation',
      },
      intensity: {
        label: 'rain intensity',
        unit: 'mm/h',
        unitCode: 'H67',
        unitAliases: ['H67'],
        min: 0,
        max: 500,
      },
    },
  },
  'camera-ai': {
    label: '视频AI camera analytics',
    primary: 'count',
    smartDataModel: 'Device',
    quantities: {
      // Detections of the camera's configured class (stalls, piled garbage, crowding) in the last interval.
      count: { label: 'detections', unit: '1', unitCode: 'C62', unitAliases: ['C62'], min: 0, max: 10000 },
      confidence: {
        label: 'top confidence',
        unit: '1',
        unitCode: 'C62',
        unitAliases: ['C62'],
        min: 0,
        max: 1,
      },
    },
  },
}

/** WGS84 / CGCS2000 longitude and latitude (never GCJ-02 inside the core). */
export interface LonLat {
  readonly lon: number
  readonly lat: number
}

/** A device installed in the city. */
export interface Device {
  readonly id: string
  readonly kind: DeviceKind
  readonly name: string
  readonly location: LonLat
  /** 15-digit grid cell code (DB11/T 2157-2023); groups devices into places for combination rules. */
  readonly gridCode?: string
  readonly ownerUnitId: string
  /** 16 digits: 6-digit district + 2 major + 2 minor + 6 serial — the component the device watches. */
  readonly componentId?: string
  /** How often the device reports when healthy; no-signal rules count in multiples of this. */
  readonly expectedIntervalSec: number
  readonly installedAt: Instant
}

/** One accepted measurement, always in the quantity's canonical unit. */
export interface Reading {
  readonly deviceId: string
  readonly ts: Instant
  readonly quantity: string
  readonly value: number
  readonly unit?: string
}

/** Catalog class to raise: 'C' (component) | 'E' (event) + 2-digit major + 2-digit minor, e.g. 'E0405'. */
export type ClassId = `${'C' | 'E'}${string}`

export type Severity = 'minor' | 'major' | 'critical'

/** Which devices an atomic rule watches: listed ids, every device of a kind, or both (union). */
export interface RuleScope {
  readonly deviceIds?: readonly string[]
  readonly kind?: DeviceKind
}

/** Consecutive-reading debounce: the condition must hold on `count` readings in a row and/or for `forMs`. */
export interface Debounce {
  /** Readings in a row (default 1). */
  readonly count?: number
  /** The condition must have held from the first to the latest reading of the run for at least this long. */
  readonly forMs?: number
  /** Readings further apart than this break the run (a gap is not evidence); default: no limit. */
  readonly maxGapMs?: number
}

interface RuleCommon {
  readonly id: string
  readonly classId: ClassId
  readonly severity: Severity
}

/** Raise when `quantity op value` holds (debounced); clear only when the value is back past `clearValue`. */
export interface ThresholdRule extends RuleCommon {
  readonly type: 'threshold'
  readonly scope: RuleScope
  readonly quantity: string
  readonly op: '>' | '<'
  readonly value: number
  /** Hysteresis: for '>' clear when value < clearValue (for '<', when >). Default: clear once the condition no longer holds. */
  readonly clearValue?: number
  readonly debounce?: Debounce
}

/** Raise when the quantity moved by more than `delta` within `windowMs` (rise, fall or either). */
export interface RateRule extends RuleCommon {
  readonly type: 'rate'
  readonly scope: RuleScope
  readonly quantity: string
  readonly windowMs: number
  readonly delta: number
  readonly direction: 'rise' | 'fall' | 'either'
  /** Clear when the change over the window is back to ≤ clearDelta (default `delta`). */
  readonly clearDelta?: number
}

/** Raise when a device has been silent for more than `intervals` × its expected interval. */
export interface NoSignalRule extends RuleCommon {
  readonly type: 'no-signal'
  readonly scope: RuleScope
  readonly intervals: number
}

/** The atomic rules, usable on their own or as members of a combination. */
export type AtomicRule = ThresholdRule | RateRule | NoSignalRule

/** A member of a combination: the atomic condition without its own class or severity. */
export type MemberRule =
  | Omit<ThresholdRule, 'id' | 'classId' | 'severity'>
  | Omit<RateRule, 'id' | 'classId' | 'severity'>
  | Omit<NoSignalRule, 'id' | 'classId' | 'severity'>

/**
 * Raise when all (or any) members hold at one place. A member holds at a place when at least one of
 * its scoped devices there holds it. Place = the device's `gridCode` (`groupBy: 'gridCode'`), or one
 * place for the whole rule (`groupBy: 'rule'`, for explicitly listed devices).
 */
export interface CombinationRule extends RuleCommon {
  readonly type: 'combination'
  readonly mode: 'all' | 'any'
  readonly groupBy: 'gridCode' | 'rule'
  readonly members: readonly MemberRule[]
}

export type AlarmRule = AtomicRule | CombinationRule

/** A change of one alarm: raised once, then cleared once, per dedup `key`. */
export interface AlarmTransition {
  readonly type: 'raised' | 'cleared'
  /** `ruleId|deviceId` for atomic rules, `ruleId@place` for combinations: one open alarm per key. */
  readonly key: string
  readonly ruleId: string
  readonly classId: ClassId
  readonly severity: Severity
  /** The device whose reading (or silence) caused the transition. */
  readonly deviceId: string
  /** Combination rules: the place (grid code or rule id). */
  readonly place?: string
  readonly quantity?: string
  readonly value?: number
  readonly at: Instant
}
