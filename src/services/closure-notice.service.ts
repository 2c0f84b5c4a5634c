import type { Kysely } from 'kysely'
import type { Applied, Case } from '../core/case/case.types.ts'
import * as cases from '../store/case.repository.ts'
import type { Database } from '../store/database.ts'
import { insertNotices } from '../store/notice.repository.ts'
import type { ActionProcessor } from './case.service.ts'

/**
 * When a case closes, every reporter of it hears the outcome: one `notification.case-closed`
 * outbox record per appeal, with the contact to use (phone for hotline callers, the platform for
 * opinion posts, the app for inspectors). A sender (SMS gateway, app push) drains the outbox;
 * writing the notes inside the closing transaction means no reporter is forgotten.
 */
export function closureNoticeProcessor(): ActionProcessor {
  return {
    async onApplied(db: Kysely<Database>, before: Case, applied: Applied): Promise<void> {
      const c = applied.case
      if (c.stage !== 'closed' || before.stage === 'closed') {
        return
      }
      const appeals = await cases.appealsOf(db, c.id)
      await insertNotices(
        db,
        appeals.map((a) => ({
          type: 'notification.case-closed',
          caseId: c.id,
          at: applied.entry.at,
          payload: {
            caseId: c.id,
            appealId: a.id,
            channel: a.channel,
            to: {
              ...(a.reporterName ? { name: a.reporterName } : {}),
              ...(a.reporterPhone ? { phone: a.reporterPhone } : {}),
              ...(a.externalId ? { externalId: a.externalId } : {}),
            },
            message: `您反映的“${c.title}”已处理完毕并经核查结案（案件号 ${c.id}）。`,
          },
        })),
      )
    },
  }
}
