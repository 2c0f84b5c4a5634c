import { Type } from 'typebox'

const Hex = Type.String({ pattern: '^[0-9a-f]*$' })

export const EntriesQuery = Type.Object(
  {
    from: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  },
  { additionalProperties: false },
)

export const CheckpointsQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })) },
  { additionalProperties: false },
)

export const SeqParams = Type.Object({ seq: Type.Integer({ minimum: 0 }) })

export const ProofQuery = Type.Object(
  { treeSize: Type.Optional(Type.Integer({ minimum: 1 })) },
  { additionalProperties: false },
)

export const ConsistencyQuery = Type.Object(
  { from: Type.Integer({ minimum: 0 }), to: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
)

export const CaseParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) })

export const Entry = Type.Object({
  seq: Type.Integer(),
  caseId: Type.String(),
  caseVersion: Type.Optional(Type.Integer()),
  action: Type.String(),
  fromUnitId: Type.Optional(Type.String()),
  toUnitId: Type.Optional(Type.String()),
  actorId: Type.String(),
  unitId: Type.String(),
  at: Type.Integer(),
  stateHash: Hex,
  payloadHash: Type.Optional(Hex),
  keyId: Type.String(),
  leafHash: Hex,
  signature: Type.Optional(Hex),
})

export const Checkpoint = Type.Object({
  treeSize: Type.Integer(),
  rootHash: Hex,
  at: Type.Integer(),
  platformKeyId: Type.String(),
  platformSig: Hex,
  witnesses: Type.Array(Type.Object({ unitId: Type.String(), keyId: Type.String(), sig: Hex })),
})
