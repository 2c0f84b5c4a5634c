import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Instant } from '../../core/time.ts'
import type { PhotoStore, PhotoType } from '../../services/patrol.service.ts'

/** Photos as files under `<root>/YYYY/MM/<sha256>.<ext>` (root = `${DATA_DIR}/uploads`). */
export class FileSystemPhotoStore implements PhotoStore {
  constructor(readonly root: string) {}

  async put(
    bytes: Uint8Array,
    ext: PhotoType['ext'],
    at: Instant,
  ): Promise<{ path: string; sha256: string }> {
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    const d = new Date(at)
    const month = String(d.getUTCMonth() + 1).padStart(2, '0')
    const path = `${d.getUTCFullYear()}/${month}/${sha256}.${ext}`
    const file = join(this.root, path)
    await mkdir(dirname(file), { recursive: true })
    // write beside, then rename: a reader never sees half a photo
    const tmp = `${file}.${process.pid}.tmp`
    await writeFile(tmp, bytes)
    await rename(tmp, file)
    return { path, sha256 }
  }

  async get(path: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(join(this.root, path))
    } catch {
      return undefined
    }
  }
}
