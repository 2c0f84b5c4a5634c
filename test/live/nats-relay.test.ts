import { describe, expect, it } from 'vitest'
import type { CaseEvent } from '../../src/core/case/case.types.ts'
import { LocalBus } from '../../src/live/local-bus.ts'
import { startNatsRelay } from '../../src/live/nats-relay.ts'

const url = process.env.TEST_NATS_URL

describe.skipIf(!url)('live events across nodes over the real NATS', () => {
  it('delivers one node’s committed events to the other node’s hub, once, without echo', async () => {
    const busA = new LocalBus()
    const busB = new LocalBus()
    const atA: CaseEvent[] = []
    const atB: CaseEvent[] = []
    const a = await startNatsRelay(url!, busA, (e) => atA.push(...(e as CaseEvent[])))
    const b = await startNatsRelay(url!, busB, (e) => atB.push(...(e as CaseEvent[])))
    try {
      await new Promise((r) => setTimeout(r, 100))
      const event: CaseEvent = {
        type: 'case.reported',
        caseId: 'C1',
        at: 1,
        stage: 'reported',
        payload: { title: '井盖丢失' },
      }
      busA.publish([event])
      for (let i = 0; i < 50 && atB.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 20))
      }
      expect(atB).toEqual([event])
      expect(atA).toEqual([]) // a node does not hear itself
    } finally {
      await a.close()
      await b.close()
    }
  })
})
