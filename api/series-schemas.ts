// The zod schemas of POST /api/series and GET /api/series (described in /api/openapi.json).
import { z } from '@hono/zod-openapi';

const RESULT = z.enum(['Tumor', 'No Tumor', 'Uncertain', 'Outside validated use']);

export const KeySliceSchema = z.object({
  file: z.string().openapi({ description: "The part's filename (or field name when it has none)." }),
  instance: z.number().int().nullable().openapi({ description: 'Instance Number' }),
  frame: z.number().int().nullable().openapi({ description: '1-based frame of a multi-frame file; null for a single-frame file' }),
  tumorProbability: z.number().nullable(),
  heatmap: z.object({ width: z.number().int(), height: z.number().int(), values: z.array(z.number()) }).optional()
    .openapi({ description: 'With ?heatmap=1: the evidence map over the model\'s crop, row-major, its shape times P(tumour)' }),
}).openapi('KeySlice');

export const SliceLineSchema = z.object({
  seriesInstanceUID: z.string(),
  index: z.number().int().openapi({ description: '0-based place along the slice normal' }),
  file: z.string(),
  frame: z.number().int().nullable(),
  instance: z.number().int().nullable(),
  result: z.enum(['Tumor', 'No Tumor', 'Not a brain MRI', 'Outside validated use']),
  tumorProbability: z.number().nullable(),
  label: z.string().nullable(),
  uncertain: z.boolean(),
  outside: z.array(z.string()).optional(),
}).openapi('SliceLine');

export const SeriesAnswerSchema = z.object({
  id: z.string().openapi({ description: 'The history row of this series' }),
  studyInstanceUID: z.string(),
  seriesInstanceUID: z.string(),
  description: z.string().openapi({ description: 'Series Description' }),
  modality: z.string(),
  orientation: z.enum(['axial', 'coronal', 'sagittal']).nullable(),
  slices: z.number().int(),
  result: RESULT,
  tumorProbability: z.number().nullable().openapi({ description: "The series score: the card's series rule (mean of the top-k slice P(tumour) among the slices that count)" }),
  uncertain: z.boolean(),
  label: z.string().nullable().openapi({ description: 'The tumour type with the highest mean probability over the key slices; notumor for No Tumor; null when outside' }),
  counted: z.number().int().openapi({ description: 'Slices that counted: diagnosed and inside the validated scope' }),
  outside: z.record(z.string(), z.number().int()).openapi({ description: 'Why the other slices did not count: reason → slices', example: { sagittal: 12, 'edge of the head': 4 } }),
  keySlices: z.array(KeySliceSchema).openapi({ description: 'At most 3, most suspicious first' }),
  model: z.object({ name: z.string(), version: z.string() }),
}).openapi('SeriesAnswer');

export const SeriesResponseSchema = z.object({
  series: z.array(SeriesAnswerSchema),
  files: z.number().int().openapi({ description: 'File parts read' }),
  skipped: z.record(z.string(), z.number().int()).openapi({ description: 'Files that gave no slice, by reason ("not DICOM", "no image", or an error code)', example: { 'not DICOM': 2 } }),
  sliceAnswers: z.array(SliceLineSchema).optional().openapi({ description: 'With ?slices=1: every slice, in series order' }),
  ms: z.number(),
}).openapi('SeriesResponse');

export const SeriesRowSchema = z.object({
  id: z.string(),
  createdAt: z.iso.datetime(),
  seriesUidSha256: z.string().openapi({ description: 'SHA-256 of the Series Instance UID (the UID itself is not stored)' }),
  description: z.string(),
  slices: z.number().int(),
  counted: z.number().int(),
  result: RESULT,
  tumorProbability: z.number().nullable(),
  label: z.string().nullable(),
  uncertain: z.boolean(),
  outside: z.record(z.string(), z.number().int()),
  model: z.object({ name: z.string(), version: z.string() }),
  ms: z.number().nullable(),
}).openapi('SeriesRow');

export const SeriesUploadSchema = z.object({
  file: z.array(z.string().openapi({ format: 'binary' })).openapi({ description: 'DICOM files, any field names, one part each; other files are skipped and counted' }),
}).openapi('SeriesUpload');
