import type { Kysely } from 'kysely'
import type { CaseEvent, Priority } from '../../core/case/case.types.ts'
import { DEVICE_KINDS } from '../../core/sensing/sensing.types.ts'
import type { AlarmRule, AlarmTransition, Device } from '../../core/sensing/sensing.types.ts'
import type { Instant } from '../../core/time.ts'
import type { CaseService } from '../../services/case.service.ts'
import type { IntakeService } from '../../services/intake.service.ts'
import type { Clock, Principal } from '../../services/ports.ts'
import { componentClassOf } from '../../services/sensing.service.ts'
import type { AlarmTable, Database } from '../../store/database.ts'
import { newId } from '../../store/ids.ts'
import * as repo from '../../store/sensing.repository.ts'
import type { RegistryView, TransitionSink } from './sensor-ingest.ts'

/** The live event the cockpit's feed and map show for every raise and clear. */
export interface SensorAlarmEvent {
  readonly type: 'sensor.alarm'
  readonly at: Instant
  readonly caseId?: string
  readonly payload: {
    readonly state: 'raised' | 'cleared'
    readonly deviceId: string
    readonly kind?: string
    readonly location?: { readonly lon: number; readonly lat: number }
    readonly ruleId: string
    readonly classId: string
    readonly severity: string
    readonly quantity?: string
    readonly value?: number
    readonly caseId?: string
    readonly title: string
    /** a raise recorded on an alarm whose case is still open (no new case) */
    readonly repeat?: boolean
  }
}

/** The platform acting by itself: raising sensor cases, verifying them from readings. */
export const SYSTEM_PRINCIPAL: Principal = {
  actor: { id: 'system', role: 'system', name: 'OneGrid' },
  username: 'system',
  displayName: 'OneGrid',
}

export interface AlarmCasesDeps {
  readonly db: Kysely<Database>
  readonly clock: Clock
  readonly intake: Pick<IntakeService, 'intake'>
  readonly cases: Pick<CaseService, 'get' | 'act'>
  readonly classExists: (classId: string) => boolean
  /** after commit: the live channel */
  readonly publish: (events: readonly SensorAlarmEvent[]) => void
  readonly log?: (msg: string) => void
}

export interface AlarmCases extends TransitionSink {
  /** Committed case events: a `report` on a case whose alarms have all cleared is verified at once. */
  onCaseEvents(events: readonly CaseEvent[]): void
  /** Resolves when the verifications queued so far are done. */
  idle(): Promise<void>
}

/**
 * Alarm transitions → cases.
 *
 * Raise: one open case per alarm key and per place. A key raised again while its case is open is
 * recorded on that alarm (`repeats`); another device tripping the same rule in the same grid cell
 * joins the open case with its own alarm row. Otherwise a new case goes through intake (channel
 * `sensor`, idempotency key = alarm key + raise time, so a retried raise never makes two cases),
 * and the pipeline places, classifies and dispatches it by the responsibility list. A no-signal
 * raise is first checked against the store (another ingest worker may have had the readings) and
 * becomes a maintenance case of the device's own component class for its owner unit.
 *
 * Clear: the evidence (when, which value) is stored on the alarm. Verification needs the case in
 * `handled`: if it is there already the platform verifies it (passed) now; otherwise the evidence
 * waits and the handler's `report` triggers the verification — the sensor, not an inspector's trip,
 * confirms the fix. While any alarm of the case is still raised nothing is verified.
 */
export function createAlarmCases(deps: AlarmCasesDeps): AlarmCases {
  const { db, clock } = deps
  const log = deps.log ?? (() => {})
  let verifying: Promise<void> = Promise.resolve()

  function describe(t: AlarmTransition, device: Device | undefined, rule: AlarmRule | undefined): string {
    const name = device ? `${device.name}（${device.id}）` : t.deviceId
    if (rule?.type === 'no-signal') {
      return `${name} 超过 ${rule.intervals} 个上报周期（每 ${device?.expectedIntervalSec ?? '?'} 秒）无信号，请设备权属单位检修`
    }
    const spec = device && t.quantity ? DEVICE_KINDS[device.kind].quantities[t.quantity] : undefined
    const reading = t.quantity
      ? `${spec?.label ?? t.quantity} ${t.value ?? ''}${spec ? ` ${spec.unit}` : ''}`
      : ''
    const limit = rule?.type === 'threshold' ? `，阈值 ${rule.op} ${rule.value}` : ''
    return `传感器告警：${name} ${reading}${limit}（规则 ${t.ruleId}${t.place ? `，地点 ${t.place}` : ''}）`
  }

  function event(
    t: AlarmTransition,
    device: Device | undefined,
    state: 'raised' | 'cleared',
    caseId: string | null,
    title: string,
    repeat = false,
  ): SensorAlarmEvent {
    return {
      type: 'sensor.alarm',
      at: t.at,
      ...(caseId ? { caseId } : {}),
      payload: {
        state,
        deviceId: t.deviceId,
        ...(device ? { kind: device.kind, location: device.location } : {}),
        ruleId: t.ruleId,
        classId: t.classId,
        severity: t.severity,
        ...(t.quantity ? { quantity: t.quantity } : {}),
        ...(t.value !== undefined ? { value: t.value } : {}),
        ...(caseId ? { caseId } : {}),
        title,
        ...(repeat ? { repeat } : {}),
      },
    }
  }

  async function openCase(t: AlarmTransition, device: Device | undefined, rule: AlarmRule | undefined) {
    const noSignal = rule?.type === 'no-signal'
    const component = device?.componentId ? componentClassOf(device.componentId) : undefined
    const classId = noSignal && component && deps.classExists(component) ? component : t.classId
    const priority: Priority = t.severity === 'critical' ? 'urgent' : 'normal'
    const text = describe(t, device, rule)
    const r = await deps.intake.intake({
      channel: 'sensor',
      text,
      title: text.length > 40 ? `${text.slice(0, 40)}…` : text,
      ...(device ? { location: device.location } : {}),
      classId,
      priority,
      externalId: t.key,
      idempotencyKey: `${t.key}#${t.at}`,
    })
    if (noSignal && device && r.case.stage === 'registered') {
      try {
        await deps.cases.act(SYSTEM_PRINCIPAL, r.case.id, {
          type: 'dispatch',
          unitId: device.ownerUnitId,
          reason: '设备无信号：由设备权属单位检修',
        })
      } catch (e) {
        log(
          `sensor case ${r.case.id}: dispatch to owner ${device.ownerUnitId} failed: ${(e as Error).message}`,
        )
      }
    }
    return r.case.id
  }

  async function raise(t: AlarmTransition, ctx: RegistryView): Promise<SensorAlarmEvent | undefined> {
    const device = ctx.devices.get(t.deviceId)
    const rule = ctx.rules.get(t.ruleId)
    const now = clock()
    if (rule?.type === 'no-signal' && device) {
      const last = await repo.lastReadingTs(db, device.id)
      if (last !== undefined && now - last <= rule.intervals * device.expectedIntervalSec * 1000) {
        return undefined
      }
    }
    const title = describe(t, device, rule)
    const same = await repo.openCaseAlarmByKey(db, t.key)
    if (same) {
      await repo.updateAlarm(db, same.id, {
        state: 'raised',
        repeats: same.repeats + 1,
        last_raised_at: t.at,
        value: t.value ?? null,
        cleared_at: null,
        clear_value: null,
        updated_at: now,
      })
      return event(t, device, 'raised', same.case_id, title, true)
    }
    const place = t.place ?? device?.gridCode ?? null
    const samePlace = place && !t.place ? await repo.openCaseAlarmAtPlace(db, t.ruleId, place) : undefined
    const caseId = samePlace?.case_id ?? (await openCase(t, device, rule))
    const row: AlarmTable = {
      id: newId('L', now),
      key: t.key,
      rule_id: t.ruleId,
      class_id: t.classId,
      severity: t.severity,
      device_id: t.deviceId,
      place,
      quantity: t.quantity ?? null,
      value: t.value ?? null,
      state: 'raised',
      raised_at: t.at,
      last_raised_at: t.at,
      repeats: 0,
      cleared_at: null,
      clear_value: null,
      case_id: caseId,
      updated_at: now,
    }
    await repo.insertAlarm(db, row)
    return event(t, device, 'raised', caseId, title, Boolean(samePlace))
  }

  async function clear(t: AlarmTransition, ctx: RegistryView): Promise<SensorAlarmEvent | undefined> {
    const row = await repo.raisedAlarm(db, t.key)
    // a raise that was never stored (silence disproved by the store) has nothing to clear
    if (!row) {
      return undefined
    }
    await repo.updateAlarm(db, row.id, {
      state: 'cleared',
      cleared_at: t.at,
      clear_value: t.value ?? null,
      updated_at: clock(),
    })
    if (row.case_id) {
      await verifyIfReady(row.case_id)
    }
    const device = ctx.devices.get(t.deviceId)
    return event(
      t,
      device,
      'cleared',
      row.case_id,
      `告警解除：${device?.name ?? t.deviceId}（规则 ${t.ruleId}）`,
    )
  }

  /** Verify a handled case whose alarms have all cleared; the note is the sensor evidence. */
  async function verifyIfReady(caseId: string): Promise<void> {
    const alarms = await repo.alarmsOfCase(db, caseId)
    if (alarms.length === 0 || alarms.some((a) => a.state !== 'cleared')) {
      return
    }
    const c = await deps.cases.get(SYSTEM_PRINCIPAL, caseId)
    if (c.stage !== 'handled') {
      return
    }
    const evidence = alarms
      .map(
        (a) =>
          `${a.device_id}${a.quantity ? ` ${a.quantity}` : ''} 于 ${new Date(Number(a.cleared_at)).toISOString()} 恢复正常${a.clear_value !== null ? `（${a.clear_value}）` : ''}`,
      )
      .join('；')
    try {
      await deps.cases.act(SYSTEM_PRINCIPAL, caseId, {
        type: 'verify',
        passed: true,
        note: `传感器核查通过：${evidence}`,
      })
    } catch (e) {
      // someone verified it meanwhile: their verdict stands
      log(`sensor verify ${caseId}: ${(e as Error).message}`)
    }
  }

  return {
    async handle(transitions, ctx) {
      const out: SensorAlarmEvent[] = []
      for (const t of transitions) {
        try {
          const e = t.type === 'raised' ? await raise(t, ctx) : await clear(t, ctx)
          if (e) {
            out.push(e)
          }
        } catch (e) {
          log(`sensor alarm ${t.key} ${t.type}: ${(e as Error).message}`)
        }
      }
      if (out.length > 0) {
        deps.publish(out)
      }
    },

    onCaseEvents(events) {
      for (const e of events) {
        if (e.type !== 'case.report') {
          continue
        }
        verifying = verifying
          .then(() => verifyIfReady(e.caseId))
          .catch((err: unknown) => log(`sensor verify ${e.caseId}: ${(err as Error).message}`))
      }
    },

    idle: () => verifying,
  }
}
