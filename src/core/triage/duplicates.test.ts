import { describe, expect, it } from 'vitest'
import { HOUR } from '../time.ts'
import { BIN_REPORTS, NOT_THE_BIN, SHICHAHAI, binCase, offset } from './duplicates.fixtures.ts'
import {
  CandidateIndex,
  DEFAULT_DUPLICATE_RULES,
  bigrams,
  type DuplicateCandidate,
  findDuplicates,
  textSimilarity,
} from './duplicates.ts'

const R = DEFAULT_DUPLICATE_RULES

describe('duplicate detection', () => {
  it('attaches every other report of the overflowing bin to its case, with reasons', () => {
    for (const r of BIN_REPORTS.slice(1)) {
      const v = findDuplicates(r, [binCase()])
      expect(v.decision, r.text).toBe('attach')
      expect(v.matches[0].reasons.join(' ')).toMatch(/same class E0109.*m apart/)
    }
  })

  it('keeps unrelated problems at the same spot apart, and the same problem far away or days later', () => {
    for (const r of NOT_THE_BIN) {
      expect(findDuplicates(r, [binCase()]).decision, r.text).toBe('none')
    }
  })

  it('groups the labelled set, fed in order, into exactly the true problems (no false attach)', () => {
    const reports = [
      ...BIN_REPORTS.map((r) => ({ ...r, truth: 'bin' })),
      ...NOT_THE_BIN.map((r, i) => ({ ...r, truth: `other-${i}` })),
    ].sort((a, b) => a.at - b.at)
    const appeals: (DuplicateCandidate & { truth: string })[] = []
    for (const [i, r] of reports.entries()) {
      const v = findDuplicates(r, appeals)
      const caseId = v.decision === 'attach' ? v.matches[0].caseId : `case-${i}`
      appeals.push({ ...r, caseId })
    }
    const cases = new Map<string, Set<string>>()
    for (const a of appeals) {
      cases.set(a.caseId, (cases.get(a.caseId) ?? new Set()).add(a.truth))
    }
    expect([...cases.values()].every((truths) => truths.size === 1)).toBe(true)
    expect(cases.size).toBe(1 + NOT_THE_BIN.length)
  })

  it('suggests, not attaches, two overflowing bins 40 m apart', () => {
    const v = findDuplicates({ ...BIN_REPORTS[1], location: offset(SHICHAHAI, 40, 0) }, [binCase()])
    expect(v.decision).toBe('suggest')
    expect(v.matches[0].score).toBeGreaterThanOrEqual(R.suggestAt)
  })

  it('never attaches without a point, only suggests on the same street', () => {
    const { location: _l, ...noPoint } = BIN_REPORTS[3]
    const v = findDuplicates(noPoint, [binCase()])
    expect(v.decision).toBe('suggest')
    expect(v.matches[0].reasons).toContain('same street 110102011, no point')
  })

  it('uses the kind radius: a component 40 m away is out, an event 40 m away is in', () => {
    const c = { ...binCase(), classId: 'C0304' }
    const far = { ...BIN_REPORTS[1], classId: 'C0304', location: offset(SHICHAHAI, 40, 0) }
    expect(findDuplicates(far, [c]).matches).toHaveLength(0)
    expect(findDuplicates({ ...far, classId: 'E0109' }, [binCase()]).matches).toHaveLength(1)
  })

  it('ranks the nearer, more similar case first', () => {
    const near = binCase('near')
    const older = { ...binCase('older'), at: near.at - 20 * HOUR, location: offset(SHICHAHAI, 25, 0) }
    const v = findDuplicates(BIN_REPORTS[4], [older, near])
    expect(v.matches.map((m) => m.caseId)).toEqual(['near', 'older'])
  })

  it('measures text similarity on bigrams without the channel boilerplate', () => {
    expect(textSimilarity(bigrams('市民反映垃圾桶满了'), bigrams('垃圾桶满了'))).toBe(1)
    expect(textSimilarity(bigrams('路灯不亮'), bigrams('垃圾桶满了'))).toBe(0)
  })
})

describe('CandidateIndex: what is near a probe, without scanning everything', () => {
  const at = BIN_REPORTS[0].at
  const text = '垃圾桶满了'
  const point = (north: number, east: number) => offset(SHICHAHAI, north, east)

  it('returns the candidates inside the radius and the window, from neighbouring cells too', () => {
    const index = new CandidateIndex()
    index.add({ caseId: 'near', text, at, location: point(30, 30) })
    index.add({ caseId: 'across-a-cell-edge', text, at, location: point(-45, 0) })
    index.add({ caseId: 'too-far', text, at, location: point(0, 80) })
    index.add({ caseId: 'too-old', text, at: at - 25 * HOUR, location: point(0, 0) })
    // a thousand others over the city
    for (let i = 0; i < 1000; i++) {
      index.add({ caseId: `other-${i}`, text, at, location: point(200 + i * 37, -5000 + i * 11) })
    }
    const near = index.near({ text, at, location: SHICHAHAI }, 50, 24 * HOUR)
    expect(near.map((c) => c.caseId).sort()).toEqual(['across-a-cell-edge', 'near'])
    expect(index.size).toBe(1004)
  })

  it('compares by street when the probe or the candidate has no point', () => {
    const index = new CandidateIndex()
    index.add({ caseId: 'same-street-no-point', text, at, streetCode: '110102014' })
    index.add({ caseId: 'same-street-far-point', text, at, streetCode: '110102014', location: point(0, 500) })
    index.add({ caseId: 'other-street', text, at, streetCode: '110102015' })
    const withPoint = index.near({ text, at, location: SHICHAHAI, streetCode: '110102014' }, 50, HOUR)
    expect(withPoint.map((c) => c.caseId)).toEqual(['same-street-no-point'])
    const noPoint = index.near({ text, at, streetCode: '110102014' }, 50, HOUR)
    expect(noPoint.map((c) => c.caseId).sort()).toEqual(['same-street-far-point', 'same-street-no-point'])
  })
})
