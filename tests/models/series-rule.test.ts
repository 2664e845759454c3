// The series rule in the model card is the one models/scripts/series-rule.ts chooses on the validation pseudo-series
// (seeded, validation split only): the card cannot drift from its figures by a hand edit.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODEL_CARD, MODEL_INFO, SERIES_RULE } from '../../models/core/model.ts';
import { available, hasData } from '../support/skip.ts';

describe.runIf(available(hasData, 'the MRI data folder (../shared/data)'))('the series rule', () => {
  it('is what series-rule.ts chooses, with the card’s figures', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bigbrain-series-rule-'));
    try {
      const out = join(dir, 'figures.json');
      const r = spawnSync('npx', ['tsx', 'models/scripts/series-rule.ts', '--no-healthy', '--json', out], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const got = JSON.parse(readFileSync(out, 'utf8')) as { rule: unknown; candidates: Array<{ k: number; threshold: number; specificity: number[]; sensitivity: unknown }> };
      expect(got.rule).toEqual(SERIES_RULE);
      const figures = (MODEL_CARD as unknown as { series: { figures: { model: string; candidates: unknown[] } } }).series.figures;
      expect(figures.model).toBe(MODEL_INFO.version);
      expect(got.candidates.map(({ k, threshold, specificity, sensitivity }) => ({ k, threshold, specificity, sensitivity }))).toEqual(figures.candidates);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
