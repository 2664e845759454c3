// The layout rule, enforced: ESLint rejects an api/ file that imports web/ (and the reverse).
import { readdirSync } from 'node:fs';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const lint = async (filePath: string, code: string) => {
  const [result] = await new ESLint({ cwd: process.cwd() }).lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'import/no-restricted-paths');
};

/** Some real file under web/ (the rule only fires on imports that resolve). */
const webFile = (readdirSync('web', { recursive: true }) as string[]).find((f) => /\.tsx?$/.test(f) && !f.endsWith('.d.ts'));

describe('import boundaries', () => {
  it('rejects api/ importing web/', async () => {
    expect(webFile, 'web/ holds no TypeScript file to import').toBeDefined();
    const messages = await lint('api/forbidden.ts', `import '../web/${webFile}';\nexport const x = 1;\n`);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.message).toMatch(/api\/ must not import web\//);
  });

  it('rejects models/ importing api/', async () => {
    const messages = await lint('models/core/forbidden.ts', "import { createApp } from '../../api/app.ts';\nexport const x = createApp;\n");
    expect(messages).toHaveLength(1);
  });

  it('allows api/ importing models/', async () => {
    expect(await lint('api/allowed.ts', "import { LABELS } from '../models/core/contract.ts';\nexport const x = LABELS;\n")).toEqual([]);
  });
});
