import { useCallback, useEffect, useRef, useState } from 'react'

export type Loadable<T> =
  | { readonly state: 'loading' }
  | { readonly state: 'ready'; readonly data: T }
  | { readonly state: 'unavailable' }
  | { readonly state: 'error'; readonly message: string }

/**
 * Runs `load` when `deps` change; `undefined` from an optional endpoint means "unavailable".
 * Returns the state and a reload function that keeps showing old data while it refreshes.
 */
export function useLoad<T>(
  load: () => Promise<T | undefined>,
  deps: readonly unknown[],
): [Loadable<T>, () => void] {
  const [state, setState] = useState<Loadable<T>>({ state: 'loading' })
  const [tick, setTick] = useState(0)
  const loadRef = useRef(load)
  loadRef.current = load
  useEffect(() => {
    let live = true
    loadRef.current().then(
      (data) => live && setState(data === undefined ? { state: 'unavailable' } : { state: 'ready', data }),
      (e: unknown) =>
        live && setState({ state: 'error', message: e instanceof Error ? e.message : String(e) }),
    )
    return () => {
      live = false
    }
  }, [...deps, tick])
  const reload = useCallback(() => setTick((t) => t + 1), [])
  return [state, reload]
}

/** Current time, re-read every `ms`. */
export function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms)
    return () => clearInterval(id)
  }, [ms])
  return now
}
