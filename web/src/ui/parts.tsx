import { useEffect, useId, useRef, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { ErrorBoundary } from './error-boundary.tsx'
import type { Loadable } from './hooks.ts'

/** A panel's honest placeholder: loading, endpoint not there yet, or failed. */
export function StateNote({
  state,
  what,
  onRetry,
}: {
  state: Loadable<unknown>
  what?: string
  onRetry?: () => void
}) {
  const { t } = useTranslation()
  if (state.state === 'ready') {
    return null
  }
  if (state.state === 'loading') {
    return (
      <div className="note note-loading" role="status">
        <span className="spinner" aria-hidden="true" />
        {t('common.loading')}
      </div>
    )
  }
  if (state.state === 'unavailable') {
    return (
      <div className="note note-unavailable" role="status">
        <strong>{t('common.unavailable')}</strong>
        {what ? <span className="note-detail">{t('common.unavailableDetail', { what })}</span> : null}
      </div>
    )
  }
  return (
    <div className="note note-error" role="alert">
      <strong>{t('common.error')}</strong>
      <span className="note-detail">{state.message}</span>
      {onRetry ? (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          {t('common.retry')}
        </button>
      ) : null}
    </div>
  )
}

/** A modal dialog on the native <dialog>: focus trap, Esc and backdrop come from the browser. */
export function Dialog({
  open,
  title,
  onClose,
  children,
  tone,
}: {
  open: boolean
  title: string
  onClose: () => void
  children: ReactNode
  tone?: 'danger'
}) {
  const ref = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  useEffect(() => {
    const d = ref.current
    if (!d) {
      return
    }
    if (open && !d.open) {
      d.showModal()
    }
    if (!open && d.open) {
      d.close()
    }
  }, [open])
  return (
    <dialog
      ref={ref}
      className={`dialog ${tone === 'danger' ? 'dialog-danger' : ''}`}
      aria-labelledby={titleId}
      onClose={onClose}
    >
      <h2 id={titleId} className="dialog-title">
        {title}
      </h2>
      {open ? children : null}
    </dialog>
  )
}

/** Panel chrome of the cockpit: a title with a glowing rule and an optional corner note. */
export function Panel({
  title,
  extra,
  children,
  className,
}: {
  title: string
  extra?: ReactNode
  children: ReactNode
  className?: string
}) {
  const id = useId()
  return (
    <section className={`panel ${className ?? ''}`} aria-labelledby={id}>
      <header className="panel-head">
        <h2 id={id} className="panel-title">
          {title}
        </h2>
        {extra ? <div className="panel-extra">{extra}</div> : null}
      </header>
      <div className="panel-body">
        <ErrorBoundary
          fallback={(e, retry) => (
            <StateNote state={{ state: 'error', message: e.message }} onRetry={retry} />
          )}
        >
          {children}
        </ErrorBoundary>
      </div>
    </section>
  )
}

/** The end of every dialog form: the error (announced), Cancel, and the submit button. */
export function FormFooter({
  error,
  onCancel,
  submitLabel,
  disabled,
  tone = 'primary',
}: {
  error?: string | undefined
  onCancel: () => void
  submitLabel: string
  disabled: boolean
  tone?: 'primary' | 'danger'
}) {
  const { t } = useTranslation()
  return (
    <>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="button" className="btn" onClick={onCancel}>
          {t('common.cancel')}
        </button>
        <button type="submit" className={`btn btn-${tone}`} disabled={disabled}>
          {submitLabel}
        </button>
      </div>
    </>
  )
}
