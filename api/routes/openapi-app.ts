// An OpenAPIHono whose failed validations answer 400 {error, code} like every other error.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { errorResponse } from '../errors.ts';

export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      const message = result.error.issues
        .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
        .join('; ');
      return errorResponse(c, 400, 'invalid_request', message || 'The request is malformed.');
    },
  });
}

export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, { description: DESCRIPTIONS[s] ?? 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }]));

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request (invalid_request, missing_file, too_many_files, empty_file)',
  401: 'Missing, invalid, expired or revoked token; or wrong password (invalid_credentials)',
  403: 'Cookie-authenticated write from another site (cross_site)',
  404: 'Not found',
  409: 'Conflict (email_taken)',
  413: 'Too large (too_large)',
  415: 'Not an accepted image type (unsupported_type)',
  422: 'Not a brain MRI (not_mri) or a corrupt image (corrupt_image)',
  429: 'Rate limited (too_many_attempts, rate_limited); see Retry-After',
  503: 'Database unavailable (database_unavailable)',
};

export const SECURITY: Array<Record<string, string[]>> = [{ authToken: [] }, { bearer: [] }, { cookie: [] }];
