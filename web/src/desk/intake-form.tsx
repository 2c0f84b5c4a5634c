import { FormFooter } from '../ui/parts.tsx'
import { useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { CHANNELS } from '../../../src/core/case/case.types.ts'
import { ApiError } from '../api/client.ts'
import { api, type IntakeInput } from '../api/endpoints.ts'
import type { ApiCase, Catalog, Channel } from '../api/types.ts'

/** An operator takes in one appeal (12345 call, walk-in, …). Classification is optional: triage suggests one. */
export function IntakeForm({
  catalog,
  onDone,
  onCancel,
}: {
  catalog: Catalog | undefined
  onDone: (c: ApiCase) => void
  onCancel: () => void
}) {
  const { t, i18n } = useTranslation()
  const [channel, setChannel] = useState<Channel>('hotline')
  const [text, setText] = useState('')
  const [title, setTitle] = useState('')
  const [address, setAddress] = useState('')
  const [name, setName] = useState('')
  const [phone, setPhone] = useState('')
  const [classId, setClassId] = useState('')
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    const input: IntakeInput = {
      channel,
      text: text.trim(),
      ...(title.trim() ? { title: title.trim() } : {}),
      ...(address.trim() ? { address: address.trim() } : {}),
      ...(name.trim() || phone.trim()
        ? {
            reporter: {
              ...(name.trim() ? { name: name.trim() } : {}),
              ...(phone.trim() ? { phone: phone.trim() } : {}),
            },
          }
        : {}),
      ...(classId ? { classId } : {}),
    }
    try {
      onDone(await api.intake(input))
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err))
      setBusy(false)
    }
  }

  return (
    <form className="form intake" onSubmit={(e) => void submit(e)}>
      <div className="filter-row">
        <div className="field">
          <label htmlFor="in-channel">{t('desk.channel')}</label>
          <select id="in-channel" value={channel} onChange={(e) => setChannel(e.target.value as Channel)}>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {t(`channel.${c}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="in-class">{t('desk.class')}</label>
          <select id="in-class" value={classId} onChange={(e) => setClassId(e.target.value)}>
            <option value="">{t('intake.autoClass')}</option>
            {catalog?.classes.map((c) => (
              <option key={c.id} value={c.id}>
                {c.id} {i18n.language === 'en' ? c.nameEn : c.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="field">
        <label htmlFor="in-text">
          {t('intake.text')}
          <span className="req" aria-hidden="true">
            {' '}
            *
          </span>
        </label>
        <textarea
          id="in-text"
          rows={4}
          value={text}
          onChange={(e) => setText(e.target.value)}
          required
          placeholder={t('intake.textHint')}
        />
      </div>
      <div className="field">
        <label htmlFor="in-title">{t('intake.title')}</label>
        <input id="in-title" value={title} onChange={(e) => setTitle(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="in-address">{t('desk.address')}</label>
        <input id="in-address" value={address} onChange={(e) => setAddress(e.target.value)} />
      </div>
      <div className="filter-row">
        <div className="field">
          <label htmlFor="in-name">{t('intake.name')}</label>
          <input id="in-name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="in-phone">{t('intake.phone')}</label>
          <input
            id="in-phone"
            type="tel"
            value={phone}
            onChange={(e) => setPhone(e.target.value)}
            autoComplete="off"
            pattern="[0-9+\- ]{3,20}"
          />
        </div>
      </div>
      <FormFooter
        error={error}
        onCancel={onCancel}
        submitLabel={t('intake.submit')}
        disabled={busy || !text.trim()}
      />
    </form>
  )
}
