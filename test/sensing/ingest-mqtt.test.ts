import { randomBytes } from 'node:crypto'
import { connectAsync, type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectMqttIngest, type MqttIngest } from '../../src/ingest/mqtt/mqtt-ingest.ts'
import type { SensorAlarmEvent } from '../../src/ingest/sensors/alarm-cases.ts'
import { cityUnits } from '../../src/sim/demo-units.ts'
import { upsertUnits } from '../../src/store/user.repository.ts'
import { DATABASES } from '../helpers/databases.ts'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts'

const MQTT_URL = process.env.TEST_MQTT_URL
// 什刹海 前海西街 (西城区): the demo list gives 雨水井盖 C0103 there to 110102-sw
const SHICHAHAI = { lon: 116.3849, lat: 39.9405 }

if (!MQTT_URL) {
  console.warn(
    'ingest-mqtt: TEST_MQTT_URL is not set (e.g. mqtt://127.0.0.1:1883): the real-broker test is skipped',
  )
}

describe.skipIf(!MQTT_URL).each(DATABASES)('MQTT through the real broker on $dialect', (d) => {
  let t: TestPlatform
  let ingest: MqttIngest
  let publisher: MqttClient
  const run = randomBytes(4).toString('hex')
  const deviceId = `mh-${run}`
  const alarms: SensorAlarmEvent[] = []

  beforeAll(async () => {
    t = await startTestPlatform(d)
    await upsertUnits(t.platform.db.kysely, cityUnits(t.platform.city.regions))
    await t.platform.city.reloadUnits()
    t.platform.bus.subscribe((events) => {
      for (const e of events as readonly unknown[]) {
        if ((e as { type: string }).type === 'sensor.alarm') {
          alarms.push(e as SensorAlarmEvent)
        }
      }
    })
    await t.platform.sensing.saveDevice({
      id: deviceId,
      kind: 'manhole-tilt',
      name: '前海西街雨水井盖',
      location: SHICHAHAI,
      ownerUnitId: '110102-sw',
      componentId: '110102010300' + '0042',
      expectedIntervalSec: 300,
    })
    await t.platform.sensing.saveRule({
      id: 'tilt',
      type: 'threshold',
      classId: 'C0103',
      severity: 'major',
      scope: { kind: 'manhole-tilt' },
      quantity: 'tilt',
      op: '>',
      value: 15,
      clearValue: 5,
      debounce: { count: 2 },
    })
    // a group of our own, so another ingest on this broker does not take our messages
    ingest = connectMqttIngest(t.platform.sensors, {
      url: MQTT_URL!,
      clientId: `test-ingest-${run}`,
      shareGroup: `test-${run}`,
      sessionExpirySec: 5,
    })
    await ingest.ready
    publisher = await connectAsync(MQTT_URL!, { clientId: `test-device-${run}` })
  })
  afterAll(async () => {
    await publisher?.endAsync()
    await ingest?.close()
    await t?.close()
  })

  it('turns a tilted manhole cover into a registered, dispatched case', async () => {
    const at = (s: number) => new Date(t.clock() + s * 1000).toISOString()
    const topic = `onegrid/${deviceId}/readings`
    await publisher.publishAsync(topic, JSON.stringify({ ts: at(-120), tilt: 1.2, battery: 90 }), { qos: 1 })
    await publisher.publishAsync(topic, JSON.stringify({ ts: at(-60), tilt: 31 }), { qos: 1 })
    await publisher.publishAsync(topic, JSON.stringify({ ts: at(-30), value: 33.5 }), { qos: 0 })
    await publisher.publishAsync(topic, 'not json', { qos: 1 })

    let caseId: string | undefined
    for (let i = 0; i < 100 && !caseId; i++) {
      const open = await t.platform.sensing.alarms({ open: true, limit: 10 })
      caseId = open.find((a) => a.device_id === deviceId)?.case_id ?? undefined
      if (!caseId) {
        await new Promise((r) => setTimeout(r, 100))
      }
    }
    expect(caseId, 'no alarm case within 10 s').toBeDefined()
    const admin = await t.as('admin')
    const c = (await t.app.inject({ url: `/api/v1/cases/${caseId}`, headers: admin })).json()
    expect(c).toMatchObject({ channel: 'sensor', classId: 'C0103', stage: 'dispatched', unitId: '110102-sw' })
    expect(c.region.districtCode).toBe('110102')
    expect(alarms.find((a) => a.payload.deviceId === deviceId)).toMatchObject({
      caseId,
      payload: { state: 'raised', ruleId: 'tilt', kind: 'manhole-tilt', value: 33.5, location: SHICHAHAI },
    })
    const stats = (await t.app.inject({ url: '/api/v1/ingest/stats', headers: admin })).json()
    expect(stats.channels.mqtt.accepted).toBeGreaterThanOrEqual(4)
    expect(stats.channels.mqtt.dropped.malformed).toBeGreaterThanOrEqual(1)
  })
})
