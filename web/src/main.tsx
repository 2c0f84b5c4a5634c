import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './app.tsx'
import { SessionProvider } from './auth/session.tsx'
import { initI18n } from './i18n/index.ts'
import './ui/theme.css'

const root = document.getElementById('root')
if (!root) {
  throw new Error('index.html has no #root')
}
void initI18n().then(() =>
  createRoot(root).render(
    <StrictMode>
      <SessionProvider>
        <App />
      </SessionProvider>
    </StrictMode>,
  ),
)
