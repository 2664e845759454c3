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
    message: z.literal('This is home!').openapi({ description: 'What the original BigBrain API answered on GET /; kept for its clients.' }),
  })
  .openapi('Status');

const Probabilities = z.object(Object.fromEntries(LABELS.map((l) => [l, z.number().min(0).max(1)])) as Record<(typeof LABELS)[number], z.ZodNumber>);
// PostgreSQL text cannot hold NUL: refused here as a 400, not at the insert as a 500.
const noNul = (field: string) => z.string().min(1).max(100).regex(/^[^\0]*$/, { error: `${field} must not contain a NUL character` });
const ModelRef = z.object({ name: noNul('model.name'), version: noNul('model.version') });

const REFUSED = 'null when result is "Not a brain MRI": a refused image gets no diagnosis.';

export const HeatmapSchema = z
  .object({
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    values: z.array(z.number().min(0).max(1)).openapi({ description: 'height × width values, row-major (the first row is the top of the crop).' }),
  })
  .openapi('Heatmap', {
    description:
      'With ?heatmap=1 or ?overlay=1: the tumour head\'s class-activation map over the model\'s 96 × 96 crop of the image, its ' +
      'shape (min–max) weighted by P(tumour), as the PWA shows it: a confident No Tumor is close to 0 everywhere, and the highest value ' +
      'is P(tumour). It shows where the evidence was found, not an outline of the tumour.',
  });

const WindowSchema = z.object({ center: z.number(), width: z.number(), source: z.enum(['file', 'lut', 'auto']) }).nullable();

const DicomSchema = z
  .object({
    modality: z.string(),
    transferSyntax: z.string().openapi({ description: 'Transfer syntax UID of the file.' }),
    frames: z.number().int(),
    window: WindowSchema.openapi({ description: "The VOI used for the frame answered: the file's first Window Center/Width, its VOI LUT, or (none in the file) auto: minimum to maximum. null for colour images." }),
  })
  .openapi('DicomRead', { description: 'How a DICOM upload was read. No patient data is read into, stored with or echoed in any answer.' });

const OUTSIDE_WORDS = ['sagittal', 'coronal', 'T1 gradient echo', 'T2* gradient echo', 'proton density', 'diffusion', 'echo-planar', 'unknown sequence', 'contrast-enhanced', 'edge of the head'];
const OutsideList = z.array(z.string()).min(1).openapi({
  description: `Why the slice is outside the validated use (models/core/scope.ts; the figures behind each rule are in the model card): any of ${OUTSIDE_WORDS.map((w) => `"${w}"`).join(', ')}, and T2 / FLAIR / T1 when the model card does not list them as validated.`,
  example: ['sagittal', 'T1 gradient echo'],
});

const FrameAnswerSchema = z
  .object({
    frame: z.number().int().openapi({ description: '1-based frame number.' }),
    result: z.enum(['Tumor', 'No Tumor', 'Not a brain MRI', 'Outside validated use']),
    label: z.enum(LABELS).nullable().openapi({ description: 'null for a frame refused as not a brain MRI or outside the validated use.' }),
    probabilities: Probabilities.nullable(),
    tumorProbability: z.number().nullable(),
    mriProbability: z.number(),
    uncertain: z.boolean(),
    outside: OutsideList.optional().openapi({ description: 'With "Outside validated use": why.' }),
    window: WindowSchema.openapi({ description: "The VOI used for this frame (an Enhanced MR file may window each frame differently)." }),
    heatmap: HeatmapSchema.optional().openapi({ description: 'With ?heatmap=1 (or ?overlay=1), for each diagnosed frame.' }),
    overlay: z.string().optional().openapi({ description: 'With ?overlay=1, for each diagnosed frame: a PNG data URL, as at the top level.' }),
  })
  .openapi('FrameAnswer');

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
    heatmap: HeatmapSchema.optional(),
    dicom: DicomSchema.optional().openapi({ description: 'For a DICOM upload.' }),
    frame: z.number().int().optional().openapi({ description: 'Multi-frame DICOM: the frame answered at the top level, the most suspicious one.' }),
    frames: z.array(FrameAnswerSchema).optional().openapi({ description: 'Multi-frame DICOM: one answer per frame, in frame order.' }),
    overlay: z.string().optional().openapi({
      description: 'With ?overlay=1: a data:image/png;base64 URL, 288 × 288, of the heat map (yellow to red, more opaque where the evidence is stronger) over the crop the model saw. Where the evidence was found, not an outline of the tumour.',
    }),
  })
  .openapi('Analysis', { description: 'A diagnosis. An image that is not a brain MRI gets 422 not_mri instead: no label, no P(tumour).' });

export const OutsideAnalysisSchema = z
  .object({
    result: z.literal('Outside validated use'),
    label: z.null(),
    probabilities: z.null(),
    tumorProbability: z.null(),
    mriProbability: z.number(),
    uncertain: z.literal(false),
    outside: OutsideList,
    model: ModelRef,
    ms: z.number(),
    id: z.string().openapi({ description: 'The stored detection (stored without a diagnosis).' }),
    dicom: DicomSchema.optional().openapi({ description: 'How the DICOM file was read (always there: only DICOM is answered this way).' }),
    frame: z.number().int().optional().openapi({ description: 'Multi-frame DICOM with no frame in the validated use: the frame answered at the top level.' }),
    frames: z.array(FrameAnswerSchema).optional().openapi({ description: 'Multi-frame DICOM: one answer per frame, in frame order.' }),
  })
  .openapi('OutsideValidatedUse', {
    description:
      'A DICOM slice (or a multi-frame file none of whose frames is) outside the validated use of the model: its metadata say it is a view, sequence or ' +
      'part of the head the model was not validated on (models/core/scope.ts; the figures are in the model card). 200, because the upload was read and ' +
      'answered, but no diagnosis: label, probabilities and tumorProbability are null, as for a refusal, and `outside` says why. ' +
      'Only DICOM gets this answer: a JPEG/PNG/WebP upload has no metadata, and keeps the original contract\'s words (Tumor / No Tumor, or 422 not_mri).',
  });

const flag = (name: string, description: string) =>
  z.enum(['0', '1', 'true', 'false']).optional().openapi({ param: { name, in: 'query' }, description });

export const DetectQuerySchema = z.object({
  heatmap: flag('heatmap', '1: add `heatmap`, the evidence map (where the evidence was found, not an outline of the tumour).'),
  overlay: flag('overlay', '1: add `heatmap` and `overlay`, the map drawn over the crop the model saw, as a PNG data URL.'),
});

// The form's fields are checked by detect/read-upload.ts, which says exactly what was wrong (no file, several
// files, text instead of a file); this schema only documents the shape.
export const UploadSchema = z
  .looseObject({
    File: z.unknown().optional().openapi({
      type: 'string', format: 'binary',
      description: 'Exactly one JPEG, PNG or WebP image, in any field: `File` (the original client), `file`, `image`, …',
    }),
  })
  .openapi('Upload');

const newDetection = {
  id: z.string().min(1).max(100).regex(/^[\w-]+$/).openapi({ description: 'Client-generated id (e.g. a UUID); re-sending it is a no-op.' }),
  createdAt: z.iso.datetime({ offset: true })
    .refine((v) => { const t = Date.parse(v); return t >= Date.UTC(2000, 0, 1) && t < Date.UTC(10000, 0, 1); }, { error: 'createdAt must lie between the years 2000 and 9999' })
    .optional().openapi({ description: 'When the device ran the model; defaults to now.' }),
  model: ModelRef,
  imageSha256: z.string().regex(/^[0-9a-f]{64}$/, { error: 'imageSha256 must be 64 lower-case hex digits' }),
  ms: z.number().min(0).max(3_600_000).optional(),
};

export const NewDetectionSchema = z
  .discriminatedUnion('result', [
    z.object({
      ...newDetection,
      result: z.enum(['Tumor', 'No Tumor']),
      label: z.enum(LABELS),
      probabilities: Probabilities,
      tumorProbability: z.number().min(0).max(1),
      uncertain: z.boolean(),
    }),
    z.object({
      ...newDetection,
      result: z.literal('Not a brain MRI'),
      label: z.null({ error: 'label must be null for "Not a brain MRI"' }),
      probabilities: z.null({ error: 'probabilities must be null for "Not a brain MRI"' }),
      tumorProbability: z.null({ error: 'tumorProbability must be null for "Not a brain MRI"' }),
      uncertain: z.literal(false),
    }),
  ])
  .openapi('NewDetection', { description: `A result computed on the device. label, probabilities and tumorProbability are ${REFUSED}` });

export const DetectionSchema = z
  .object({
    id: z.string(),
    clientId: z.string().nullable(),
    source: z.enum(['server', 'device']),
    createdAt: z.iso.datetime(),
    result: z.enum(['Tumor', 'No Tumor', 'Not a brain MRI', 'Outside validated use']),
    label: z.enum(LABELS).nullable().openapi({ description: REFUSED }),
    probabilities: Probabilities.nullable().openapi({ description: REFUSED }),
    tumorProbability: z.number().nullable().openapi({ description: REFUSED }),
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
