import { useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError } from './api/client.ts'
import { useSession } from './auth/session.tsx'
import { setLanguage } from './i18n/index.ts'

const DEMO_USERS = ['operator', 'dispatcher', 'handler', 'inspector', 'leader', 'admin'] as const

export function LoginPage() {
  const { t, i18n } = useTranslation()
  const { login } = useSession()
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string | undefined>()
  const [busy, setBusy] = useState(false)

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      await login(username.trim(), password)
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? t('login.failed')
          : err instanceof Error
            ? err.message
            : String(err),
      )
    } finally {
      setBusy(false)
    }
  }

  return (
    <main className="login" id="main">
      <div className="login-skyline" aria-hidden="true" />
      <form className="login-card" onSubmit={(e) => void submit(e)} aria-labelledby="login-title" noValidate>
        <div className="login-brand">
          <span className="brand-mark brand-mark-lg" aria-hidden="true" />
          <div>
            <h1 id="login-title" className="login-title">
              {t('app.name')}
            </h1>
            <p className="login-sub">{t('app.subtitle')}</p>
          </div>
        </div>
        <div className="field">
          <label htmlFor="login-user">{t('login.username')}</label>
          <input
            id="login-user"
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
            autoFocus
          />
        </div>
        <div className="field">
          <label htmlFor="login-pass">{t('login.password')}</label>
          <input
            id="login-pass"
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </div>
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="btn btn-primary btn-block" disabled={busy || !username || !password}>
          {busy ? t('login.busy') : t('login.submit')}
        </button>
        <p className="login-demo">
          {t('login.demo')}{' '}
          {DEMO_USERS.map((u) => (
            <button
              key={u}
              type="button"
              className="chip"
              onClick={() => {
                setUsername(u)
                setPassword('demo')
              }}
            >
              {t(`role.${u}`)}
            </button>
          ))}
        </p>
        <div className="login-foot">
          <button
            type="button"
            className="btn btn-ghost btn-small"
            onClick={() => void setLanguage(i18n.language === 'en' ? 'zh' : 'en')}
          >
            {i18n.language === 'en' ? '中文' : 'English'}
          </button>
          <span>{t('login.foot')}</span>
        </div>
      </form>
    </main>
  )
}
