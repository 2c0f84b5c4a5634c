import type { Team } from '../core/dispatch/dispatch.types.ts'
import { seededRng } from '../geo/prng.ts'
import type { Platform } from '../platform.ts'
import { DEMO_PLACES, jitter } from './places.ts'

const DEMO_DISTRICTS = ['110101', '110102']
const ROUND_THE_CLOCK = new Set([
  'utility-water',
  'utility-power',
  'utility-gas',
  'utility-heat',
  'telecom',
  'emergency',
])
const TEAM_NAMES = ['一队', '二队', '三队']

/**
 * Field teams for the demo districts (东城, 西城): crews of every district bureau and street office
 * and of the city utilities, placed near their area, skilled in the classes the responsibility
 * list gives their unit (street offices take anything: they are the territorial fallback).
 */
export function demoTeams(p: Platform): Team[] {
  const rnd = seededRng('onegrid-demo-teams')
  const skillsOf = new Map<string, Set<string>>()
  for (const rule of p.city.duty().rules) {
    const set = skillsOf.get(rule.responsibleUnitId) ?? new Set<string>()
    for (const c of rule.classIds === '*' ? ['*'] : rule.classIds) {
      set.add(c)
    }
    skillsOf.set(rule.responsibleUnitId, set)
  }
  const teams: Team[] = []
  for (const unit of p.city.units()) {
    const region = unit.region_code ?? ''
    const local = DEMO_DISTRICTS.some((d) => region.startsWith(d))
    const cityWide = unit.level === 'city' && skillsOf.has(unit.id)
    if (!local && !cityWide) {
      continue
    }
    const anchor = p.city.index.byCode.get(region)
    const count = unit.level === 'street' ? 2 : 3
    for (let i = 0; i < count; i++) {
      const base =
        anchor && unit.level !== 'city'
          ? { lon: anchor.centroid[0], lat: anchor.centroid[1] }
          : DEMO_PLACES[Math.floor(rnd() * DEMO_PLACES.length)].point
      const status = rnd() < 0.8 ? 'available' : rnd() < 0.5 ? 'busy' : 'en-route'
      teams.push({
        id: `${unit.id}-t${i + 1}`,
        unitId: unit.id,
        name: `${unit.name}${TEAM_NAMES[i]}`,
        skills: unit.type === 'street-office' ? ['*'] : [...(skillsOf.get(unit.id) ?? ['*'])],
        position: jitter(base, unit.level === 'street' ? 600 : 2500, rnd),
        shift: ROUND_THE_CLOCK.has(unit.type)
          ? 'always'
          : { days: [1, 2, 3, 4, 5, 6, 7], from: '07:00', to: '22:00' },
        status,
        load: Math.floor(rnd() * 4),
        capacity: 6,
      })
    }
  }
  return teams
}
