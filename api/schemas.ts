// The zod schemas that validate requests and, through @hono/zod-openapi, describe them in /api/openapi.json.
import { z } from '@hono/zod-openapi';
import { LABELS } from '../models/core/contract.ts';

export const ErrorSchema = z
  .object({
    error: z.string().openapi({ example: 'Wrong email or password.' }),
    code: z.string().openapi({ example: 'invalid_credentials' }),
  })
  .openapi('Error');

export const CredentialsSchema = z
  .object({
    email: z.string().max(1000).trim().toLowerCase().pipe(z.email({ error: 'email must be a valid email address' }).max(254, { error: 'email must be at most 254 characters' })).openapi({ example: 'ada@example.com' }),
    password: z
      .string({ error: 'password is required' })
      .min(8, { error: 'password must be at least 8 characters' })
      .max(256, { error: 'password must be at most 256 characters' })
      .openapi({ example: 'correct horse battery' }),
  })
  .openapi('Credentials');

export const AccessTokenSchema = z.object({ accessToken: z.string() }).openapi('AccessToken');

export const SessionSchema = z
  .object({ accessToken: z.string(), expiresAt: z.iso.datetime(), user: z.object({ id: z.string(), email: z.string() }) })
  .openapi('Session');

export const UserSchema = z.object({ id: z.string(), email: z.string(), createdAt: z.iso.datetime() }).openapi('User');

export const StatusSchema = z
  .object({
    name: z.string(),
    status: z.literal('ok'),
    version: z.string(),
    model: z.object({ name: z.string(), version: z.string() }),
    database: z.enum(['pglite', 'neon']),
  })
  .openapi('Status');

const Probabilities = z.object(Object.fromEntries(LABELS.map((l) => [l, z.number().min(0).max(1)])) as Record<(typeof LABELS)[number], z.ZodNumber>);
const ModelRef = z.object({ name: z.string().min(1).max(100), version: z.string().min(1).max(100) });

export const AnalysisSchema = z
  .object({
    result: z.enum(['Tumor', 'No Tumor']),
    label: z.enum(LABELS),
    probabilities: Probabilities,
    tumorProbability: z.number(),
    mriProbability: z.number(),
    uncertain: z.boolean(),
    model: ModelRef,
    ms: z.number(),
    id: z.string().openapi({ description: 'The stored detection.' }),
  })
  .openapi('Analysis');

// The form's fields are checked by detect/read-upload.ts, which says exactly what was wrong (no file, several
// files, text instead of a file, a wrong field name); this schema only documents the shape.
export const UploadSchema = z
  .looseObject({
    file: z.unknown().optional().openapi({ type: 'string', format: 'binary', description: 'Exactly one JPEG, PNG or WebP image.' }),
  })
  .openapi('Upload');

export const NewDetectionSchema = z
  .object({
    id: z.string().min(1).max(100).regex(/^[\w-]+$/).openapi({ description: 'Client-generated id (e.g. a UUID); re-sending it is a no-op.' }),
    createdAt: z.iso.datetime({ offset: true }).optional().openapi({ description: 'When the device ran the model; defaults to now.' }),
    result: z.enum(['Tumor', 'No Tumor', 'Not a brain MRI']),
    label: z.enum(LABELS),
    probabilities: Probabilities,
    tumorProbability: z.number().min(0).max(1),
    uncertain: z.boolean(),
    model: ModelRef,
    imageSha256: z.string().regex(/^[0-9a-f]{64}$/, { error: 'imageSha256 must be 64 lower-case hex digits' }),
    ms: z.number().min(0).max(3_600_000).optional(),
  })
  .openapi('NewDetection');

export const DetectionSchema = z
  .object({
    id: z.string(),
    clientId: z.string().nullable(),
    source: z.enum(['server', 'device']),
    createdAt: z.iso.datetime(),
    result: z.string(),
    label: z.string(),
    probabilities: Probabilities,
    tumorProbability: z.number(),
    uncertain: z.boolean(),
    model: ModelRef,
    imageSha256: z.string().nullable(),
    ms: z.number().nullable(),
  })
  .openapi('Detection');

export const DetectionPageSchema = z
  .object({ items: z.array(DetectionSchema), nextCursor: z.string().nullable() })
  .openapi('DetectionPage');

export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ param: { name: 'limit', in: 'query' }, example: 20 }),
  cursor: z.string().max(200).optional().openapi({ param: { name: 'cursor', in: 'query' } }),
});

export type NewDetection = z.infer<typeof NewDetectionSchema>;
export type Detection = z.infer<typeof DetectionSchema>;
