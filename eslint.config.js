import tseslint from 'typescript-eslint';
import importPlugin from 'eslint-plugin-import';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const featuresDir = fileURLToPath(new URL('./web/features/', import.meta.url));

/** For each folder in web/features, a zone forbidding imports from every other feature. */
function featureZones() {
  let names = [];
  try {
    names = readdirSync(featuresDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
  return names
    .filter((name) => names.some((other) => other !== name))
    .map((name) => ({
      target: `./web/features/${name}`,
      from: names.filter((other) => other !== name).map((other) => `./web/features/${other}`),
      message: 'A feature never imports another feature: lift shared code to web/lib or compose in web/app.',
    }));
}

// The shape of the code, enforced: web/ and api/ never import each other, the shared
// model code imports neither, and a web feature never imports another feature.
export const boundaries = [
  { target: './web', from: './api', message: 'web/ must not import api/: share through models/.' },
  { target: './api', from: './web', message: 'api/ must not import web/: share through models/.' },
  { target: './models', from: ['./web', './api'], message: 'models/ is shared: it imports neither web/ nor api/.' },
  { target: './web', from: './models/node', message: 'models/node is Node-only: the browser cannot use it.' },
  // One zone per feature folder: web/features/<name> may import only from itself.
  ...featureZones(),
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'data/**', 'dev-dist/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { import: importPlugin },
    settings: { 'import/resolver': { node: { extensions: ['.ts', '.tsx', '.js'] } } },
    rules: {
      'import/no-restricted-paths': ['error', { zones: boundaries }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
);
