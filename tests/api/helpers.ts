// Builds an app around a test database and a stub or real classifier, plus small request helpers.
import { createApp } from '../../api/app.ts';
import { loadConfig, type Config } from '../../api/config.ts';
import type { Db } from '../../api/db/types.ts';
import type { Classifier } from '../../models/node/classifier.ts';
import { detectInline } from '../../models/node/detect-inline.ts';
import { LABELS } from '../../models/core/contract.ts';
import { MODEL_INFO } from '../../models/core/model.ts';

export const testConfig = (over: Partial<Config> = {}): Config => ({
  ...loadConfig({ BIGBRAIN_DATA_DIR: '/nonexistent', BIGBRAIN_DIST_DIR: '/nonexistent-dist' }),
  ...over,
});

/** A classifier that answers "Tumor / glioma" for every image: route tests need no model. */
export const stubClassifier: Pick<Classifier, 'analyse'> = {
  async analyse(images) {
    return images.map(() => ({
      result: 'Tumor' as const,
      label: 'glioma' as const,
      probabilities: Object.fromEntries(LABELS.map((l) => [l, l === 'glioma' ? 0.9 : 0.1 / 3])) as Record<(typeof LABELS)[number], number>,
      tumorProbability: 0.9667,
      mriProbability: 0.99,
      uncertain: false,
      model: MODEL_INFO,
      cam: Float32Array.of(-1, 0, 1, 3), // scaled: [0, 0.25, 0.5, 1], row-major in a 2 × 2 map
      camSize: [2, 2] as [number, number],
    }));
  },
};

type AppOptions = Parameters<typeof createApp>[0];
type MakeAppOptions = Partial<Omit<AppOptions, 'db' | 'classifier'>> & { classifier?: Pick<Classifier, 'analyse'> };

/** The app around a model that analyses preprocessed images (a stub, or the real one), run inline. */
export function makeApp(db: Db, { config = testConfig(), classifier = stubClassifier, ...rest }: MakeAppOptions = {}) {
  return createApp({ db, classifier: { detect: (bytes, options) => detectInline(classifier, bytes, options) }, config, ...rest });
}

export type TestApp = ReturnType<typeof makeApp>;

export const postJson = (app: TestApp, path: string, body: unknown, headers: Record<string, string> = {}) =>
  app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

let n = 0;
export const uniqueEmail = () => `user${Date.now()}-${n++}@example.com`;

export async function signUp(app: TestApp, email = uniqueEmail(), password = 'correct horse battery'): Promise<{ email: string; token: string }> {
  const res = await postJson(app, '/authorization', { email, password });
  if (res.status !== 200) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  const { accessToken } = (await res.json()) as { accessToken: string };
  return { email, token: accessToken };
}

export function expectErrorShape(body: unknown): asserts body is { error: string; code: string } {
  const b = body as { error?: unknown; code?: unknown };
  if (typeof b.error !== 'string' || typeof b.code !== 'string' || !b.error || !/^[a-z_0-9]+$/.test(b.code)) {
    throw new Error(`not an {error, code} body: ${JSON.stringify(body)}`);
  }
}
