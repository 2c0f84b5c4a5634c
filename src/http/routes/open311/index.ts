import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Catalog } from '../../../core/catalog/catalog.types.ts'
import { AppError, type ErrorCode } from '../../../core/errors.ts'
import type { CityService } from '../../../services/city.service.ts'
import type { Open311Service } from '../../../services/open311.service.ts'
import type { Clock } from '../../../services/ports.ts'
import { apiKeyOf, installBodyParsers, toSubmission, type Fields } from './body.ts'
import { errorFormat, formatOf, langOf, send, sendErrors, w3c, type Format } from './format.ts'
import { readRequestQuery, readWindow } from './query.ts'
import {
  presentDefinition,
  presentDiscovery,
  presentRequest,
  presentService,
  presentUpdate,
  serviceNotice,
  type PresentContext,
} from './present.ts'

export interface Open311RouteDeps {
  readonly open311: Open311Service
  readonly catalog: Catalog
  readonly city: Pick<CityService, 'unit' | 'index'>
  readonly clock: Clock
}

/** What discovery says about this endpoint. */
export interface Open311Options {
  /** the endpoint's public base URL, e.g. https://city.example/open311/v2 (default: from the request) */
  readonly publicUrl?: string
  readonly type?: 'production' | 'test'
  readonly contact?: string
  readonly keyService?: string
}

const Format1 = Type.Object({ format: Type.String() })
const CodeParams = Type.Object({ code: Type.String(), format: Type.String() })
const IdParams = Type.Object({ id: Type.String(), format: Type.String() })
const TokenParams = Type.Object({ token: Type.String(), format: Type.String() })
const opt = (description: string) => Type.Optional(Type.String({ description }))
const Common = {
  jurisdiction_id: opt('accepted and ignored: this endpoint serves one jurisdiction'),
  lang: opt('zh (default) or en; else Accept-Language decides'),
}
const RequestsQuery = Type.Object({
  ...Common,
  service_request_id: opt('comma-separated ids; overrides every other filter'),
  service_code: opt('comma-separated service codes'),
  start_date: opt('W3C date-time; default end_date − 90 days'),
  end_date: opt('W3C date-time; default now (or start_date + 90 days)'),
  status: opt('open, closed or both comma-separated'),
  extensions: opt('true adds extended_attributes (stage, grid cell, street, class, version)'),
})
const WindowQuery = Type.Object({
  ...Common,
  start_date: opt('W3C date-time'),
  end_date: opt('W3C date-time'),
})

/** GeoReport v2 status of each error code; what is not listed is a bad request. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  AUTH_REQUIRED: 403,
  AUTH_INVALID: 403,
  FORBIDDEN_ROLE: 403,
  FORBIDDEN_SCOPE: 403,
  NOT_FOUND: 404,
  CASE_NOT_FOUND: 404,
  CATALOG_CLASS_UNKNOWN: 404,
  BODY_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
}

/** An error as GeoReport v2 reports it: HTTP status and a description naming the field. */
function describe(err: FastifyError | Error, req: FastifyRequest): { status: number; description: string } {
  if (err instanceof AppError) {
    return { status: STATUS[err.code] ?? 400, description: err.message }
  }
  const fe = err as FastifyError
  const v = fe.validation?.[0]
  if (v) {
    const missing = (v.params as { missingProperty?: unknown } | undefined)?.missingProperty
    const field = [v.instancePath.replace(/^\//, ''), typeof missing === 'string' ? missing : '']
      .filter(Boolean)
      .join('.')
    return {
      status: 400,
      description: `${field || fe.validationContext || 'request'} ${v.message ?? 'is invalid'}`,
    }
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { status: 413, description: 'the body is too large' }
  }
  if (fe.statusCode && fe.statusCode < 500) {
    return { status: fe.statusCode === 415 ? 400 : fe.statusCode, description: fe.message }
  }
  return { status: 500, description: `internal error: it has been logged with request id ${String(req.id)}` }
}

/**
 * Open311 GeoReport v2 under its own prefix, with its own body parsers, error and not-found
 * handlers (Fastify encapsulation), so Open311 clients always get the spec's error format.
 */
export function open311Routes(
  deps: Open311RouteDeps,
  options: Open311Options = {},
): FastifyPluginAsyncTypebox {
  const { open311, catalog } = deps
  const changeset = w3c(deps.clock(), open311.utcOffsetMinutes)
  return async (app) => {
    installBodyParsers(app)
    app.setErrorHandler((err: FastifyError | Error, req, reply) => {
      const { status, description } = describe(err, req)
      if (status >= 500) {
        req.log.error({ err }, 'open311 request failed')
      }
      return sendErrors(reply, errorFormat(req), status, [description])
    })
    app.setNotFoundHandler((req, reply) =>
      sendErrors(reply, errorFormat(req), 404, [
        `no Open311 endpoint ${req.method} ${req.url.split('?')[0]}: see discovery.json`,
      ]),
    )

    const ctx = (req: FastifyRequest): PresentContext => ({
      lang: langOf(req),
      catalog,
      city: deps.city,
      utcOffsetMinutes: open311.utcOffsetMinutes,
    })
    const format = (req: FastifyRequest): Format => {
      const ext = (req.params as { format?: string }).format
      const f = formatOf(ext)
      if (!f) {
        throw new AppError('NOT_FOUND', `format ${ext ?? ''} is not served: use .json or .xml`, 'format')
      }
      return f
    }
    const tags = ['open311']

    app.get(
      '/discovery.:format',
      { schema: { tags, summary: 'Service discovery', params: Format1, security: [] } },
      async (req, reply) => {
        const base = options.publicUrl ?? `${req.protocol}://${req.host}${app.prefix}`
        const body = presentDiscovery({
          url: base,
          changeset,
          type: options.type ?? 'production',
          contact: options.contact ?? 'The city operations centre: see the /docs page of this server',
          keyService:
            options.keyService ??
            'Ask the city for an api_key: administrators issue them with `onegrid open311 key add --name NAME` or POST /api/v1/open311/keys',
        })
        return send(reply, format(req), 'discovery', body)
      },
    )

    app.get(
      '/services.:format',
      {
        schema: {
          tags,
          summary: 'Service list: the catalog classes',
          params: Format1,
          querystring: Type.Object(Common),
          security: [],
        },
      },
      async (req, reply) => {
        const lang = langOf(req)
        return send(
          reply,
          format(req),
          'services',
          open311.services().map((s) => presentService(s, lang)),
        )
      },
    )

    app.get(
      '/services/:code.:format',
      {
        schema: {
          tags,
          summary: 'Service definition: its attributes',
          params: CodeParams,
          querystring: Type.Object(Common),
          security: [],
        },
      },
      async (req, reply) => {
        const f = format(req)
        return send(
          reply,
          f,
          'service_definition',
          presentDefinition(open311.service(req.params.code), langOf(req)),
        )
      },
    )

    app.post(
      '/requests.:format',
      {
        schema: {
          tags,
          summary: 'Create a service request (api_key required)',
          params: Format1,
          security: [],
        },
      },
      async (req, reply) => {
        const f = format(req)
        const fields = (req.body ?? {}) as Fields
        // an unknown client hears nothing about its fields
        const key = await open311.checkKey(apiKeyOf(fields, req.query as Fields))
        const submission = toSubmission(fields)
        const r = await open311.submit(submission, { via: 'api', keyId: key.id })
        const body = [
          {
            service_request_id: r.serviceRequestId,
            service_notice: serviceNotice(catalog, r.case.classId, langOf(req), r.attached),
            account_id: r.accountId ?? null,
            token: r.token,
          },
        ]
        return send(reply, f, 'service_requests', body, r.replayed ? 200 : 201)
      },
    )

    app.get(
      '/requests.:format',
      {
        schema: {
          tags,
          summary: 'Service requests (default: the last 90 days, at most 1000)',
          params: Format1,
          querystring: RequestsQuery,
          security: [],
        },
      },
      async (req, reply) => {
        const f = format(req)
        const { query, extensions } = readRequestQuery(req.query, open311.utcOffsetMinutes)
        const found = await open311.search(query)
        const c = ctx(req)
        return send(
          reply,
          f,
          'service_requests',
          found.map((r) => presentRequest(c, r, extensions)),
        )
      },
    )

    app.get(
      '/requests/:id.:format',
      {
        schema: {
          tags,
          summary: 'One service request',
          params: IdParams,
          querystring: RequestsQuery,
          security: [],
        },
      },
      async (req, reply) => sendOne(req, reply, req.params.id),
    )

    async function sendOne(req: FastifyRequest, reply: FastifyReply, id: string) {
      const f = format(req)
      const { extensions } = readRequestQuery(req.query as Fields, open311.utcOffsetMinutes)
      const [found] = await open311.find([id])
      if (!found) {
        throw new AppError('NOT_FOUND', `service_request_id ${id} is not known here`, 'service_request_id')
      }
      return send(reply, f, 'service_requests', [presentRequest(ctx(req), found, extensions)])
    }

    app.get(
      '/tokens/:token.:format',
      {
        schema: {
          tags,
          summary: 'The service_request_id a token stands for',
          params: TokenParams,
          querystring: Type.Object(Common),
          security: [],
        },
      },
      async (req, reply) => {
        const f = format(req)
        const r = await open311.byToken(req.params.token)
        return send(reply, f, 'service_requests', [
          { service_request_id: r.serviceRequestId, token: r.token },
        ])
      },
    )

    app.get(
      '/servicerequestupdates.:format',
      {
        schema: {
          tags,
          summary: 'Status changes (FixMyStreet extension), oldest first, at most 1000',
          params: Format1,
          querystring: WindowQuery,
          security: [],
        },
      },
      async (req, reply) => {
        const f = format(req)
        const { start, end } = readWindow(req.query, open311.utcOffsetMinutes)
        const c = ctx(req)
        const updates = await open311.updates(start, end)
        return send(
          reply,
          f,
          'service_request_updates',
          updates.map((u) => presentUpdate(c, u)),
        )
      },
    )
  }
}
