import type { Command } from 'commander'
import type { Config } from '../config.ts'
import { createPlatform, type Platform } from '../platform.ts'

/**
 * Run a command against a platform and close it afterwards. `setTime` moves the platform's clock
 * (the demo seed writes history); undefined returns it to real time.
 */
export async function withPlatform<T>(
  config: Config,
  fn: (p: Platform, setTime: (t: number | undefined) => void) => Promise<T>,
): Promise<T> {
  let time: number | undefined
  const platform = await createPlatform({ ...config, clock: () => time ?? Date.now() })
  try {
    return await fn(platform, (t) => (time = t))
  } finally {
    await platform.close()
  }
}

/** The `import` command, whichever slice registered it first: each adds its own `import <what>`. */
export function importCommand(cli: Command): Command {
  return (
    cli.commands.find((c) => c.name() === 'import') ??
    cli.command('import').description('import data through the channel it would arrive by')
  )
}
