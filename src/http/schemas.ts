import Type, { type Static } from 'typebox';

/** Response and request shapes shared by several route plugins: the single source of their types. */
export const ErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
});

export const Id = Type.String({ minLength: 1, maxLength: 64 });
export const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const MinPositionQuery = Type.Object({
  /** Read-your-writes: wait until the projections have applied this position. */
  min_position: Type.Optional(Type.Integer({ minimum: 0 })),
});

export const Author = Type.Object({ id: Type.String(), username: Type.String(), email: Type.String() });

export const Message = Type.Object({
  id: Type.String(),
  thread: Type.String(),
  author: Author,
  content: Nullable(Type.String()),
  created_at: Type.String(),
  seq: Type.Integer(),
  position: Type.Integer(),
  redacted: Type.Boolean(),
  redacted_by: Type.Optional(Nullable(Type.String())),
  redacted_at: Type.Optional(Nullable(Type.String())),
});
export type Message = Static<typeof Message>;

export const ThreadSummary = Type.Object({
  id: Type.String(),
  title: Type.String(),
  visibility: Type.Union([Type.Literal('public'), Type.Literal('private')]),
  created_by: Type.String(),
  created_at: Type.String(),
  last_activity_at: Type.String(),
  member_count: Type.Integer(),
  is_member: Type.Boolean(),
  role: Nullable(Type.String()),
});

export const Member = Type.Object({
  user: Type.Object({ id: Type.String(), username: Type.String() }),
  role: Type.String(),
  joined_at: Type.String(),
});

export const ThreadDetail = Type.Intersect([ThreadSummary, Type.Object({ members: Type.Array(Member) })]);

export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  413: ErrorBody,
  429: ErrorBody,
  503: ErrorBody,
};
