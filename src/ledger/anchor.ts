import { hash } from 'node:crypto'
import { mkdir, open, readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Checkpoint, Hex } from '../core/ledger/ledger.types.ts'
import type { Instant } from '../core/time.ts'

/** Proof that a checkpoint was handed to an external ledger: where to find it there. */
export interface AnchorReceipt {
  /** which anchor took it, e.g. `file` or the name of a city's blockchain service */
  readonly anchor: string
  /** the anchor's own reference: a line number, a transaction id */
  readonly ref: string
  readonly treeSize: number
  readonly rootHash: Hex
  readonly at: Instant
}

export interface AnchoredCheckpoint {
  readonly checkpoint: Checkpoint
  readonly receipt: AnchorReceipt
}

/**
 * Publishes checkpoints somewhere the platform's operators cannot rewrite: a city's existing
 * blockchain service, a timestamping authority, another department's log. Once a checkpoint is
 * anchored, any later rewrite of the entries it covers fails verification against it.
 */
export interface AnchorPort {
  anchor(checkpoint: Checkpoint): Promise<AnchorReceipt>
  /** Everything anchored so far, oldest first. */
  list(): Promise<readonly AnchoredCheckpoint[]>
}

const GENESIS = '0'.repeat(64)

interface AnchorLine {
  readonly index: number
  readonly at: Instant
  readonly prevHash: Hex
  readonly checkpoint: Checkpoint
}

/**
 * The default anchor: an append-only JSON-lines file where each line carries the SHA-256 of the
 * line before it, so removing or editing a line breaks the chain at that line. It is only as
 * independent as the disk it sits on; copy it off the box (or implement AnchorPort for the city's
 * ledger) for real protection.
 */
export class FileAnchor implements AnchorPort {
  private tail: Promise<{ index: number; hash: Hex }> | undefined
  private writing: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly path: string,
    private readonly now: () => Instant = () => Date.now(),
  ) {}

  anchor(checkpoint: Checkpoint): Promise<AnchorReceipt> {
    const run = this.writing.then(async () => {
      this.tail ??= this.readChain().then((lines) => lines.at(-1) ?? { index: -1, hash: GENESIS })
      const tail = await this.tail
      const line: AnchorLine = { index: tail.index + 1, at: this.now(), prevHash: tail.hash, checkpoint }
      const text = JSON.stringify(line)
      await mkdir(dirname(this.path), { recursive: true })
      const fh = await open(this.path, 'a')
      try {
        await fh.write(`${text}\n`)
        await fh.datasync()
      } finally {
        await fh.close()
      }
      this.tail = Promise.resolve({ index: line.index, hash: lineHash(text) })
      return {
        anchor: 'file',
        ref: `${this.path}#${line.index}`,
        treeSize: checkpoint.treeSize,
        rootHash: checkpoint.rootHash,
        at: line.at,
      }
    })
    this.writing = run.catch(() => undefined)
    return run
  }

  async list(): Promise<readonly AnchoredCheckpoint[]> {
    const lines = await this.readChain()
    return lines.map(({ line }) => ({
      checkpoint: line.checkpoint,
      receipt: {
        anchor: 'file',
        ref: `${this.path}#${line.index}`,
        treeSize: line.checkpoint.treeSize,
        rootHash: line.checkpoint.rootHash,
        at: line.at,
      },
    }))
  }

  /** Read and check the chain; throws naming the first line whose predecessor was altered or removed. */
  private async readChain(): Promise<{ index: number; hash: Hex; line: AnchorLine }[]> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        return []
      }
      throw e
    }
    const out: { index: number; hash: Hex; line: AnchorLine }[] = []
    let prev = GENESIS
    for (const raw of text.split('\n')) {
      if (raw === '') {
        continue
      }
      const line = JSON.parse(raw) as AnchorLine
      if (line.prevHash !== prev || line.index !== out.length) {
        throw new Error(
          `anchor file ${this.path}: line ${out.length} does not follow the line before it (edited, removed or reordered)`,
        )
      }
      prev = lineHash(raw)
      out.push({ index: line.index, hash: prev, line })
    }
    return out
  }
}

function lineHash(text: string): Hex {
  return hash('sha256', text, 'hex')
}
