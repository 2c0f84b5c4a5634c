import type { LedgerService } from '../services/ledger.service.ts'
import { startPeriodic, type PeriodicJob } from './periodic.ts'

export type CheckpointJob = PeriodicJob

/**
 * Check every `pollMs` whether a ledger checkpoint is due (N entries or T seconds) and make it.
 * One per deployment is enough; a second one only waits on the checkpoint lock. A refused
 * checkpoint (altered tail) is reported and must be looked at.
 */
export function startCheckpointJob(
  ledger: Pick<LedgerService, 'checkpointIfDue'>,
  options: { readonly pollMs?: number; readonly onError?: (e: unknown) => void } = {},
): CheckpointJob {
  return startPeriodic(
    'ledger checkpoint',
    () => ledger.checkpointIfDue(),
    options.pollMs ?? 5000,
    options.onError,
  )
}
