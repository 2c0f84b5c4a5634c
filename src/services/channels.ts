import type { Kysely } from 'kysely'
import type { Database } from '../store/database.ts'
import type { CaseService } from './case.service.ts'
import type { CityService } from './city.service.ts'
import type { DuplicateService } from './duplicates.service.ts'
import { createHotlineService, type HotlineService } from './hotline.service.ts'
import type { IntakeService } from './intake.service.ts'
import type { Classifier } from './intake-pipeline.ts'
import { createOpinionService, type OpinionRules, type OpinionService } from './opinion.service.ts'
import { createPatrolService, type PatrolService, type PhotoStore } from './patrol.service.ts'
import type { Clock } from './ports.ts'

/** The intake channels besides the generic POST /cases: hotline, patrol, public opinion, duplicates. */
export interface ChannelServices {
  readonly hotline: HotlineService
  readonly patrol: PatrolService
  readonly opinion: OpinionService
  readonly duplicates: DuplicateService
}

/** Build the channel services over the platform's core services. */
export function createChannelServices(deps: {
  readonly db: Kysely<Database>
  readonly clock: Clock
  readonly cases: CaseService
  readonly intake: IntakeService
  readonly city: CityService
  readonly duplicates: DuplicateService
  readonly photos: PhotoStore
  readonly classifier?: Classifier
  readonly opinionRules?: OpinionRules
}): ChannelServices {
  const { db, clock, cases, intake } = deps
  return {
    hotline: createHotlineService({ db, clock, intake, cases }),
    patrol: createPatrolService({ db, clock, intake, cases, photos: deps.photos }),
    opinion: createOpinionService({
      db,
      clock,
      intake,
      city: deps.city,
      ...(deps.classifier ? { classifier: deps.classifier } : {}),
      ...(deps.opinionRules ? { rules: deps.opinionRules } : {}),
    }),
    duplicates: deps.duplicates,
  }
}
