// The series verdict (models/core/series seriesVerdict): Tumor / No Tumor / Uncertain / Outside validated use, the
// series P(tumour) and type, how many slices counted and why the others did not, the key slices with their maps.
import type { SeriesVerdict } from '../../../models/core/series/index.ts';
import { SliceImage } from './SliceImage.tsx';
import type { SeriesEntry, SliceOutcome } from './study.ts';

const TYPE_NAMES: Record<string, string> = { glioma: 'glioma', meningioma: 'meningioma', pituitary: 'pituitary tumour', notumor: 'no tumour' };
const pct = (p: number) => `${(p * 100).toFixed(1)} %`;

export interface SeriesVerdictViewProps {
  verdict: SeriesVerdict;
  series: SeriesEntry;
  outcomes: ReadonlyMap<number, SliceOutcome>;
  /** Whether every slice has been analysed (else: "so far"). */
  complete: boolean;
  onShow: (index: number) => void;
}

export function SeriesVerdictView({ verdict, series, outcomes, complete, onShow }: SeriesVerdictViewProps) {
  const tone = verdict.result === 'Tumor' ? 'tumor' : verdict.result === 'No Tumor' ? 'clear' : 'unsure';
  const indexOf = new Map(series.sources.map((s, i) => [s.id, i]));
  const outside = Object.entries(verdict.outside);
  return (
    <article className={`series-verdict ${tone}`} aria-label="Series verdict">
      <h3>
        <span className="result-word" data-testid="series-result">{verdict.result}</span>
        {verdict.uncertain && verdict.result !== 'Uncertain' ? <span className="badge">uncertain</span> : null}
        {!complete ? <span className="badge">so far</span> : null}
      </h3>
      {verdict.tumorProbability !== null && (
        <p>
          Series P(tumour) <strong data-testid="series-probability" data-value={verdict.tumorProbability}>{pct(verdict.tumorProbability)}</strong>
          {verdict.label && verdict.result !== 'No Tumor' ? <> · type: <strong>{TYPE_NAMES[verdict.label] ?? verdict.label}</strong></> : null}
        </p>
      )}
      <p className="muted">
        {verdict.counted} of {series.sources.length} slices counted.
        {outside.length ? ` Not counted: ${outside.map(([why, k]) => `${why} (${k})`).join(', ')}.` : ''}
      </p>
      {verdict.result === 'Outside validated use' && (
        <p className="caution">No slice of this series is inside the model’s validated use, so no diagnosis is given.</p>
      )}
      {verdict.keySlices.length > 0 && (
        <>
          <h4>Key slices, most suspicious first</h4>
          <ol className="key-slices">
            {verdict.keySlices.map((id, rank) => {
              const index = indexOf.get(id)!;
              const r = outcomes.get(index)?.result;
              if (!r) return null;
              const where = series.positions[index];
              return (
                <li key={id} data-slice={index}>
                  {r.pixels ? (
                    <SliceImage pixels={r.pixels} cam={r.cam} camSize={r.camSize} tumorProbability={r.tumorProbability} label={`Key slice ${rank + 1}: slice ${index + 1}, with its heat map`} />
                  ) : null}
                  <p>
                    Slice {index + 1}{where != null ? ` · ${where.toFixed(1)} mm` : ''} · P(tumour) {r.tumorProbability !== null ? pct(r.tumorProbability) : '—'}
                  </p>
                  <button type="button" onClick={() => onShow(index)} aria-label={`Show slice ${index + 1} in the viewer`}>Show</button>
                </li>
              );
            })}
          </ol>
        </>
      )}
    </article>
  );
}
