import { FormFooter } from '../ui/parts.tsx'
import { useState, type FormEvent, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { ActionSpec, FieldSpec } from '../case-actions.ts'
import { ApiError } from '../api/client.ts'
import { api } from '../api/endpoints.ts'
import type { ApiCase, Catalog, Unit } from '../api/types.ts'

type Values = Record<string, unknown>

/** The small form for one action: only the fields it needs, required ones marked. */
export function ActionForm({
  spec,
  c,
  catalog,
  units,
  onDone,
  onCancel,
  onConflict,
}: {
  spec: ActionSpec
  c: ApiCase
  catalog: Catalog | undefined
  /** undefined = the units endpoint is not there: type ids */
  units: readonly Unit[] | undefined
  onDone: (next: ApiCase) => void
  onCancel: () => void
  onConflict: () => void
}) {
  const { t } = useTranslation()
  const [v, setV] = useState<Values>(() => initial(spec, c))
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  const set = (name: string, value: unknown) => setV((old) => ({ ...old, [name]: value }))
  const missing = spec.fields.filter((f) => f.required && isEmpty(v[f.name]))

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      onDone(await api.act(c.id, spec.type, bodyOf(spec, v), c.version))
    } catch (err) {
      if (err instanceof ApiError && err.conflict) {
        onConflict()
      } else {
        setError(
          err instanceof ApiError
            ? `${t(`error.${err.code}`, { defaultValue: err.message })}${err.field ? ` (${err.field})` : ''}`
            : String(err),
        )
      }
      setBusy(false)
    }
  }

  return (
    <form
      className={`form action-form action-${spec.tone}`}
      onSubmit={(e) => void submit(e)}
      aria-label={t(`action.${spec.type}`)}
    >
      <h3 className="action-form-title">{t(`action.${spec.type}`)}</h3>
      {spec.fields.map((f) => (
        <Field
          key={f.name}
          f={f}
          id={`af-${spec.type}-${f.name}`}
          value={v[f.name]}
          set={(x) => set(f.name, x)}
          catalog={catalog}
          units={units}
        />
      ))}
      <FormFooter
        error={error}
        onCancel={onCancel}
        submitLabel={t('common.confirmAction', { action: t(`action.${spec.type}`) })}
        disabled={busy || missing.length > 0}
        tone={spec.tone === 'danger' ? 'danger' : 'primary'}
      />
    </form>
  )
}

function initial(spec: ActionSpec, c: ApiCase): Values {
  const v: Values = {}
  for (const f of spec.fields) {
    if (f.kind === 'class' && c.classId) {
      v[f.name] = c.classId
    }
    if (f.kind === 'limit') {
      v[f.name] = { amount: 2, unit: 'work-days' }
    }
    if (f.kind === 'units' || f.kind === 'photos') {
      v[f.name] = []
    }
  }
  return v
}

function isEmpty(x: unknown): boolean {
  return x === undefined || x === '' || (Array.isArray(x) && x.length === 0)
}

/** The request body: trimmed strings, empty optionals left out. */
function bodyOf(spec: ActionSpec, v: Values): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const f of spec.fields) {
    const x = v[f.name]
    if (isEmpty(x)) {
      continue
    }
    out[f.name] = typeof x === 'string' ? x.trim() : x
  }
  return out
}

function Field({
  f,
  id,
  value,
  set,
  catalog,
  units,
}: {
  f: FieldSpec
  id: string
  value: unknown
  set: (v: unknown) => void
  catalog: Catalog | undefined
  units: readonly Unit[] | undefined
}) {
  const { t, i18n } = useTranslation()
  const label = (
    <>
      {t(`field.${f.name}`)}
      {f.required ? (
        <span className="req" aria-hidden="true">
          {' '}
          *
        </span>
      ) : null}
    </>
  )
  const str = typeof value === 'string' ? value : ''
  switch (f.kind) {
    case 'text':
    case 'case':
      return (
        <div className="field">
          <label htmlFor={id}>{label}</label>
          <input id={id} value={str} onChange={(e) => set(e.target.value)} required={f.required} />
        </div>
      )
    case 'textarea':
      return (
        <div className="field">
          <label htmlFor={id}>{label}</label>
          <textarea
            id={id}
            rows={3}
            value={str}
            onChange={(e) => set(e.target.value)}
            required={f.required}
          />
        </div>
      )
    case 'class':
      return (
        <div className="field">
          <label htmlFor={id}>{label}</label>
          {catalog ? (
            <select id={id} value={str} onChange={(e) => set(e.target.value)} required={f.required}>
              <option value="">{t('common.choose')}</option>
              {catalog.majors.map((m) => (
                <optgroup
                  key={`${m.kind}${m.code}`}
                  label={`${t(`kind.${m.kind}`)} · ${i18n.language === 'en' ? m.nameEn : m.name}`}
                >
                  {catalog.classes
                    .filter((c) => c.kind === m.kind && c.majorCode === m.code)
                    .map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.id} {i18n.language === 'en' ? c.nameEn : c.name}
                      </option>
                    ))}
                </optgroup>
              ))}
            </select>
          ) : (
            <input
              id={id}
              value={str}
              onChange={(e) => set(e.target.value)}
              pattern="[CE][0-9]{4}"
              placeholder="E0101"
              required={f.required}
            />
          )}
        </div>
      )
    case 'unit':
      return (
        <div className="field">
          <label htmlFor={id}>{label}</label>
          {units ? (
            <select id={id} value={str} onChange={(e) => set(e.target.value)} required={f.required}>
              <option value="">{t('common.choose')}</option>
              {units.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name}
                </option>
              ))}
            </select>
          ) : (
            <input
              id={id}
              value={str}
              onChange={(e) => set(e.target.value)}
              placeholder="u-xc-cgw"
              required={f.required}
            />
          )}
        </div>
      )
    case 'units': {
      const list = Array.isArray(value) ? (value as string[]) : []
      return units ? (
        <fieldset className="field">
          <legend>{label}</legend>
          <div className="unit-options">
            {units.map((u) => (
              <label key={u.id} className="check">
                <input
                  type="checkbox"
                  checked={list.includes(u.id)}
                  onChange={(e) => set(e.target.checked ? [...list, u.id] : list.filter((x) => x !== u.id))}
                />
                {u.name}
              </label>
            ))}
          </div>
        </fieldset>
      ) : (
        <div className="field">
          <label htmlFor={id}>{label}</label>
          <input
            id={id}
            value={list.join(', ')}
            onChange={(e) => set(e.target.value.split(/[,，\s]+/).filter(Boolean))}
            placeholder="u-xc-cgw, u-xc-hw"
          />
        </div>
      )
    }
    case 'limit': {
      const lim = (value ?? { amount: 2, unit: 'work-days' }) as { amount: number; unit: string }
      return (
        <fieldset className="field field-inline">
          <legend>{label}</legend>
          <label className="sr-only" htmlFor={`${id}-n`}>
            {t('field.amount')}
          </label>
          <input
            id={`${id}-n`}
            type="number"
            min={0.5}
            step={0.5}
            value={lim.amount}
            onChange={(e) => set({ ...lim, amount: Number(e.target.value) })}
          />
          <label className="sr-only" htmlFor={`${id}-u`}>
            {t('field.limitUnit')}
          </label>
          <select id={`${id}-u`} value={lim.unit} onChange={(e) => set({ ...lim, unit: e.target.value })}>
            {['work-days', 'work-hours', 'clock-hours'].map((u) => (
              <option key={u} value={u}>
                {t(`limitUnit.${u}`)}
              </option>
            ))}
          </select>
        </fieldset>
      )
    }
    case 'priority':
      return (
        <div className="field">
          <label htmlFor={id}>{label}</label>
          <select id={id} value={str} onChange={(e) => set(e.target.value || undefined)}>
            <option value="">{t('common.keep')}</option>
            <option value="normal">{t('priority.normal')}</option>
            <option value="urgent">{t('priority.urgent')}</option>
          </select>
        </div>
      )
    case 'passed':
    case 'resolved':
      return (
        <Radios
          id={id}
          label={label}
          value={value === true ? 'true' : value === false ? 'false' : ''}
          options={[
            ['true', t(`${f.kind}.yes`)],
            ['false', t(`${f.kind}.no`)],
          ]}
          set={(x) => set(x === 'true')}
        />
      )
    case 'satisfaction':
      return (
        <Radios
          id={id}
          label={label}
          value={str}
          options={['satisfied', 'basically', 'unsatisfied'].map((s) => [s, t(`satisfaction.${s}`)] as const)}
          set={set}
        />
      )
    case 'decision':
      return (
        <Radios
          id={id}
          label={label}
          value={str}
          options={['grant', 'deny'].map((s) => [s, t(`decision.${s}`)] as const)}
          set={set}
        />
      )
    case 'photos':
      return (
        <Photos id={id} label={label} value={Array.isArray(value) ? (value as string[]) : []} set={set} />
      )
  }
}

function Radios({
  id,
  label,
  value,
  options,
  set,
}: {
  id: string
  label: ReactNode
  value: string
  options: readonly (readonly [string, string])[]
  set: (v: string) => void
}) {
  return (
    <fieldset className="field radios">
      <legend>{label}</legend>
      {options.map(([v, text]) => (
        <label key={v} className="radio">
          <input type="radio" name={id} value={v} checked={value === v} onChange={() => set(v)} />
          {text}
        </label>
      ))}
    </fieldset>
  )
}

/** Photos: uploaded one by one; if the upload endpoint is not there yet, references are typed in. */
function Photos({
  id,
  label,
  value,
  set,
}: {
  id: string
  label: ReactNode
  value: readonly string[]
  set: (v: string[]) => void
}) {
  const { t } = useTranslation()
  const [manual, setManual] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const upload = async (files: FileList | null) => {
    if (!files?.length) {
      return
    }
    setBusy(true)
    setError(undefined)
    const refs: string[] = []
    try {
      for (const file of Array.from(files)) {
        const ref = await api.uploadPhoto(file)
        if (ref === undefined) {
          setManual(true)
          setError(t('photos.unavailable'))
          break
        }
        refs.push(ref)
      }
      set([...value, ...refs])
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {manual ? (
        <textarea
          id={id}
          rows={2}
          placeholder="https://…/photo-1.jpg"
          value={value.join('\n')}
          onChange={(e) => set(e.target.value.split('\n').filter(Boolean))}
        />
      ) : (
        <input
          id={id}
          type="file"
          accept="image/*"
          capture="environment"
          multiple
          disabled={busy}
          onChange={(e) => void upload(e.target.files)}
        />
      )}
      {value.length ? <p className="hint">{t('photos.count', { count: value.length })}</p> : null}
      {error ? <p className="hint hint-warn">{error}</p> : null}
    </div>
  )
}
