// POST /detect (the original contract; also under /api): run the model on an uploaded image, store the result.
import { createRoute, z } from '@hono/zod-openapi';
import { requireSession } from '../auth/require-session.ts';
import { analyseImage } from '../detect/analyse-image.ts';
import { readForm, readUpload } from '../detect/read-upload.ts';
import { detectLimit } from '../limits/detect-limit.ts';
import { AnalysisSchema, DetectQuerySchema, OutsideAnalysisSchema, UploadSchema } from '../schemas.ts';
import { createRouter, errorResponses, SECURITY } from './openapi-app.ts';

export function detectRoutes() {
  const app = createRouter();
    app.openapi(
      createRoute({
        method: 'post', path: '/detect', summary: 'Classify a brain MRI image', security: SECURITY,
        middleware: [requireSession, detectLimit, readForm] as const,
        description:
          'The diagnosis of one brain MRI slice. An image that is not a brain MRI (422 not_mri) or smaller than 64 px on its shorter ' +
          'side (422 too_small) gets no diagnosis. ?heatmap=1 adds the evidence map, ?overlay=1 also that map over the crop as a PNG: ' +
          'where the evidence was found, not an outline of the tumour. A DICOM slice outside the validated use (a view, sequence or part of the head ' +
          'the model was not validated on, from its metadata) is answered 200 with result "Outside validated use", the reasons in `outside`, and no ' +
          'diagnosis; a multi-frame file answers at the top level its most suspicious frame in the validated use. Pictures (JPEG/PNG/WebP) have no ' +
          'metadata and keep the original answers.',
        request: {
          query: DetectQuerySchema,
          body: {
            description: 'The image as the one file of a multipart form, in any field (`File` as the original client sends it, `file`, …), or a raw JPEG/PNG/WebP or DICOM body. DICOM is recognised by content, whatever the name or type: Modality other than MR → 422 not_mri; no pixel data → 422 no_image; transfer syntax not supported → 415 unsupported_transfer_syntax; malformed → 422 corrupt_image; Rows × Columns × Frames over the limit → 413 too_large.',
            content: {
              'multipart/form-data': { schema: UploadSchema },
              'image/*': { schema: z.string().openapi({ format: 'binary' }) },
              'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) },
              'application/dicom': { schema: z.string().openapi({ format: 'binary', description: 'A DICOM Part 10 file (any transfer syntax in models/core/dicom/transfer-syntax.ts); a multi-frame file is answered per frame.' }) },
            },
          },
        },
        responses: {
          200: { description: 'The diagnosis; or, for DICOM outside the validated use, "Outside validated use" without one', content: { 'application/json': { schema: z.union([AnalysisSchema, OutsideAnalysisSchema]) } } },
          ...errorResponses(400, 401, 403, 413, 415, 422, 429),
        },
      }),
      async (c) => {
        const { deps, user } = c.var;
        const form = c.req.valid('form') as Record<string, unknown> | undefined;
        const on = (v: string | undefined) => v === '1' || v === 'true';
        const query = c.req.valid('query');
        const bytes = await readUpload(c, form);
        const saving = deps.detectionLog.coming();
        let result: Awaited<ReturnType<typeof analyseImage>>;
        try {
          result = await analyseImage(bytes, deps.classifier, { heatmap: on(query.heatmap), overlay: on(query.overlay) });
        } finally {
          saving();
        }
        const { analysis, sha256, ms } = result;
        const detection = await deps.detectionLog.save({
          userId: user.id, clientId: null, source: 'server', result: analysis.result, label: analysis.label,
          probabilities: analysis.probabilities, tumorProbability: analysis.tumorProbability, uncertain: analysis.uncertain,
          model: analysis.model, imageSha256: sha256, ms,
        });
        return c.json({ ...analysis, ms, id: detection.id }, 200);
      },
    );
  return app;
}
