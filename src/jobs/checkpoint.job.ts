import type { LedgerService } from '../services/ledger.service.ts'

export interface CheckpointJob {
  stop(): Promise<void>
}

/**
 * Check every `pollMs` whether a ledger checkpoint is due (N entries or T seconds) and make it.
 * One per deployment is enough; a second one only waits on the checkpoint lock. Failures are
 * reported and retried on the next tick: a refused checkpoint (altered tail) must be looked at.
 */
export function startCheckpointJob(
  ledger: Pick<LedgerService, 'checkpointIfDue'>,
  options: { readonly pollMs?: number; readonly onError?: (e: unknown) => void } = {},
): CheckpointJob {
  const onError = options.onError ?? ((e: unknown) => console.error('ledger checkpoint failed:', e))
  let running: Promise<unknown> | undefined
  const timer = setInterval(() => {
    // a slow checkpoint is not stacked on: the next tick after it finishes looks again
    running ??= ledger
      .checkpointIfDue()
      .catch(onError)
      .finally(() => (running = undefined))
  }, options.pollMs ?? 5000)
  timer.unref()
  return {
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}
