export interface PeriodicJob {
  stop(): Promise<void>
}

/**
 * Run `work` every `everyMs`, never two at once: a slow run is not stacked on, the next tick after
 * it finishes runs again. Failures are reported and retried on the next tick.
 */
export function startPeriodic(
  name: string,
  work: () => Promise<unknown>,
  everyMs: number,
  onError?: (e: unknown) => void,
): PeriodicJob {
  const report = onError ?? ((e: unknown) => console.error(`${name} failed:`, e))
  let running: Promise<unknown> | undefined
  const timer = setInterval(() => {
    running ??= work()
      .catch(report)
      .finally(() => (running = undefined))
  }, everyMs)
  timer.unref()
  return {
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}
