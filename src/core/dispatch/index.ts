export type * from './dispatch.types.ts'
export {
  buildTeamIndex,
  checkTeam,
  EN_ROUTE_PENALTY_M,
  LOAD_PENALTY_M,
  nearestTeams,
  onShift,
  patchTeam,
  recommendTeams,
} from './nearest.ts'
export type { TeamIndex } from './nearest.ts'
export { DEFAULT_COMMUNITY_CLASSES, dispatchLevel, HANDLING_LEVELS, unitLevel } from './levels.ts'
export type { DispatchLevelOptions, HandlingLevel, LevelRule } from './levels.ts'
export { haversineM, visitNearest } from './sphere-knn.ts'
