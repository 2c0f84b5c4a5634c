import { lazy, Suspense, useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useSession } from './auth/session.tsx'
import { LoginPage } from './login-page.tsx'
import { hrefOf, homeFor, parseHash, screensFor, type Screen } from './routes.ts'
import { setLanguage } from './i18n/index.ts'
import { fmtDate, fmtTime } from './ui/format.ts'
import { ErrorBoundary } from './ui/error-boundary.tsx'
import { useNow } from './ui/hooks.ts'
import { StateNote } from './ui/parts.tsx'

// Screens load on demand: the operator's desk never pays for the cockpit's map and charts.
const Cockpit = lazy(() => import('./cockpit/cockpit.tsx').then((m) => ({ default: m.Cockpit })))
const CaseDesk = lazy(() => import('./desk/case-desk.tsx').then((m) => ({ default: m.CaseDesk })))
const RankingsPage = lazy(() =>
  import('./rankings/rankings-page.tsx').then((m) => ({ default: m.RankingsPage })),
)

function useHash(): string {
  const [hash, setHash] = useState(() => location.hash)
  useEffect(() => {
    const on = () => setHash(location.hash)
    window.addEventListener('hashchange', on)
    return () => window.removeEventListener('hashchange', on)
  }, [])
  return hash
}

/** The shell: login gate, role-aware navigation, language switch, clock. */
export function App() {
  const { user } = useSession()
  const hash = useHash()
  if (!user) {
    return <LoginPage />
  }
  const allowed = screensFor(user.role)
  const { screen: asked, param } = parseHash(hash)
  const screen: Screen = asked && allowed.includes(asked) ? asked : homeFor(user.role)
  return (
    <div className={`shell shell-${screen}`}>
      <a className="skip-link" href="#main">
        <SkipText />
      </a>
      <TopBar screen={screen} screens={allowed} />
      <main id="main" className="main" tabIndex={-1}>
        <ErrorBoundary
          key={screen}
          fallback={(e, retry) => (
            <StateNote state={{ state: 'error', message: e.message }} onRetry={retry} />
          )}
        >
          <Suspense fallback={<div className="note note-loading">…</div>}>
            {screen === 'cockpit' ? <Cockpit /> : null}
            {screen === 'desk' ? <CaseDesk key="desk" preset="desk" selectedId={param} /> : null}
            {screen === 'tasks' ? <CaseDesk key="tasks" preset="tasks" selectedId={param} /> : null}
            {screen === 'verify' ? <CaseDesk key="verify" preset="verify" selectedId={param} /> : null}
            {screen === 'rankings' ? <RankingsPage /> : null}
          </Suspense>
        </ErrorBoundary>
      </main>
    </div>
  )
}

function SkipText() {
  const { t } = useTranslation()
  return <>{t('nav.skip')}</>
}

function TopBar({ screen, screens }: { screen: Screen; screens: readonly Screen[] }) {
  const { t, i18n } = useTranslation()
  const { user, logout } = useSession()
  const now = useNow(1000)
  return (
    <header className="topbar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">{t('app.name')}</span>
        <span className="brand-sub">{t('app.subtitle')}</span>
      </div>
      <nav className="nav" aria-label={t('nav.label')}>
        <ul>
          {screens.map((s) => (
            <li key={s}>
              <a
                href={hrefOf(s)}
                className={`nav-link ${s === screen ? 'active' : ''}`}
                aria-current={s === screen ? 'page' : undefined}
              >
                {t(`nav.${s}`)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div className="topbar-right">
        <time className="clock" dateTime={new Date(now).toISOString()}>
          <span className="clock-date">{fmtDate(now)}</span>
          <span className="clock-time">{fmtTime(now)}</span>
        </time>
        <button
          type="button"
          className="btn btn-ghost btn-small"
          onClick={() => void setLanguage(i18n.language === 'en' ? 'zh' : 'en')}
          aria-label={t('nav.switchLanguage')}
          lang={i18n.language === 'en' ? 'zh-CN' : 'en'}
        >
          {i18n.language === 'en' ? '中文' : 'EN'}
        </button>
        <span className="user-chip" title={user?.username}>
          <span className="user-name">{user?.displayName}</span>
          <span className="user-role">{t(`role.${user?.role ?? 'operator'}`)}</span>
        </span>
        <button type="button" className="btn btn-ghost btn-small" onClick={logout}>
          {t('nav.logout')}
        </button>
      </div>
    </header>
  )
}
