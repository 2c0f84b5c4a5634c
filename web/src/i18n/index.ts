import i18n from 'i18next'
import { initReactI18next } from 'react-i18next'
import en from './en.json' with { type: 'json' }
import zh from './zh.json' with { type: 'json' }

export const LANGUAGES = ['zh', 'en'] as const
export type Language = (typeof LANGUAGES)[number]

const STORAGE_KEY = 'onegrid.lang'

function initialLanguage(): Language {
  const saved = localStorage.getItem(STORAGE_KEY)
  return saved === 'en' ? 'en' : 'zh'
}

/** Simplified Chinese by default; the choice is remembered per browser. */
export async function initI18n(): Promise<void> {
  await i18n.use(initReactI18next).init({
    resources: { zh: { translation: zh }, en: { translation: en } },
    lng: initialLanguage(),
    fallbackLng: 'zh',
    interpolation: { escapeValue: false },
    returnNull: false,
  })
  document.documentElement.lang = i18n.language === 'en' ? 'en' : 'zh-CN'
}

export async function setLanguage(lang: Language): Promise<void> {
  localStorage.setItem(STORAGE_KEY, lang)
  await i18n.changeLanguage(lang)
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN'
}
