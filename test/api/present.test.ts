import { describe, expect, it } from 'vitest'
import { buildCase } from '../../src/core/case/case.fixtures.ts'
import { presentCase, presentCaseJson } from '../../src/http/routes/cases/index.ts'

describe('the intake answer built on the stored document', () => {
  it('reads exactly as presentCase plus the extra fields', () => {
    const open = buildCase()
    const closed = buildCase({ stage: 'closed' })
    for (const c of [open, closed]) {
      const text = presentCaseJson(c, { replayed: false })
      expect(JSON.parse(text)).toEqual({ ...presentCase(c), replayed: false })
    }
    // the open case has a deadline to show; the fixture must exercise it
    expect(JSON.parse(presentCaseJson(open, { replayed: true }))).toHaveProperty('dueNext')
  })
})
