// The architecture rules are real: ESLint rejects a cross-feature import and web/ → api/.
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const eslint = new ESLint({ cwd: repo });

async function ruleMessages(code: string, filePath: string) {
  const [result] = await eslint.lintText(code, { filePath: `${repo}${filePath}` });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'import/no-restricted-paths').map((m) => m.message);
}

describe('import boundaries', () => {
  it('forbids a feature importing another feature', async () => {
    const msgs = await ruleMessages("import { HistoryPanel } from '../history/index.ts';\nexport const x = HistoryPanel;\n", 'web/features/analyse/Bad.tsx');
    expect(msgs.join('\n')).toMatch(/A feature never imports another feature/);
  });

  it('allows a feature to import itself, web/lib and models/core', async () => {
    const code = [
      "import { describe } from './ResultCard.tsx';",
      "import { api } from '../../lib/api.ts';",
      "import { LABELS } from '../../../models/core/contract.ts';",
      'export const x = [describe, api, LABELS];',
    ].join('\n');
    expect(await ruleMessages(code, 'web/features/analyse/Ok.tsx')).toEqual([]);
  });

  it('lets web/app compose features', async () => {
    expect(await ruleMessages("import { AccountPanel } from '../features/account/index.ts';\nexport const x = AccountPanel;\n", 'web/app/Ok.tsx')).toEqual([]);
  });

  it('forbids web/ importing api/ or models/node', async () => {
    expect((await ruleMessages("import { handleError } from '../../api/errors.ts';\nexport const x = handleError;\n", 'web/lib/Bad.ts')).length).toBe(1);
    expect((await ruleMessages("import { decodeImage } from '../../models/node/decode.ts';\nexport const x = decodeImage;\n", 'web/lib/Bad.ts')).length).toBe(1);
  });
});
