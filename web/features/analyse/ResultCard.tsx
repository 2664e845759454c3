import { useState } from 'react';
import { LABELS } from '../../../models/core/contract.ts';
import type { AnalysisResult } from '../../lib/types.ts';
import { DicomDetails } from './DicomDetails.tsx';
import { Heatmap } from './Heatmap.tsx';

const LABEL_NAMES: Record<(typeof LABELS)[number], string> = {
  glioma: 'Glioma',
  meningioma: 'Meningioma',
  pituitary: 'Pituitary',
  notumor: 'No tumour',
};

export const pct = (p: number) => `${(p * 100).toFixed(1)} %`;
/** P(tumour) as shown: "—" for an image refused as not an MRI, which gets no diagnosis. */
export const tumourText = (r: AnalysisResult) => (r.tumorProbability === null ? '—' : pct(r.tumorProbability));

export function describe(name: string, r: AnalysisResult): string {
  const speed = r.backend === 'Server' ? `Server, ${Math.round(r.ms)} ms` : `${r.backend}, ${r.ms.toFixed(1)} ms`;
  if (r.result === 'Not a brain MRI') return `${name}: ${r.result}, no diagnosis · ${speed}`;
  if (r.result === 'Outside validated use') return `${name}: ${r.result} (${r.outside.join(', ')}), no diagnosis · ${speed}`;
  return `${name}: ${r.result}${r.uncertain ? ' (uncertain)' : ''} · P(tumour) ${pct(r.tumorProbability)} · ${speed}`;
}

export function ResultCard({ name, result, fromCamera }: { name: string; result: AnalysisResult; fromCamera: boolean }) {
  const [overlay, setOverlay] = useState(true);
  const tone = result.result === 'Tumor' ? 'tumor' : result.result === 'No Tumor' ? 'clear' : 'other';
  return (
    <article className={`result-card ${tone}`} aria-label={`Result for ${name}`}>
      <header>
        <h3>
          <span className="result-word">{result.result}</span>
          {result.uncertain && <span className="badge">uncertain</span>}
        </h3>
        <p>
          P(tumour) <strong>{tumourText(result)}</strong>
          {result.uncertain && ' — the model is unsure about this image: have it read by a specialist.'}
          {result.result === 'Not a brain MRI' &&
            (result.dicom?.refusal
              ? ` — no diagnosis: this DICOM file is ${result.dicom.modality}, not MR.`
              : ' — no diagnosis: this image does not look like a brain MRI. Use an axial brain MRI slice.')}
          {result.result === 'Outside validated use' &&
            ` — no diagnosis: this DICOM slice is outside the model's validated use (${result.outside.join(', ')}). The model card says what it was validated on and the figures behind each rule.`}
        </p>
      </header>
      {result.dicom && <DicomDetails dicom={result.dicom} />}
      {fromCamera && (
        <p className="caution" role="note">
          Caution: this is a camera photo. The model was validated on exported MRI images, not photos of screens or film; treat this result with extra care.
        </p>
      )}
      {result.probabilities && (
        <dl className="bars" aria-label="Class probabilities">
          {LABELS.map((l) => (
            <div key={l} className="bar-row">
              <dt>{LABEL_NAMES[l]}</dt>
              <dd>
                <meter min={0} max={1} value={result.probabilities[l]} aria-label={`${LABEL_NAMES[l]} probability`} />
                <span>{pct(result.probabilities[l])}</span>
              </dd>
            </div>
          ))}
        </dl>
      )}
      {result.tumorProbability === null ? null : result.pixels && result.camSize !== undefined ? (
        <figure className="heatmap-figure">
          <Heatmap pixels={result.pixels} size={Math.round(Math.sqrt(result.pixels.length))} cam={result.cam} camSize={result.camSize} tumorProbability={result.tumorProbability} showOverlay={overlay} />
          <figcaption>
            <label>
              <input type="checkbox" checked={overlay} onChange={(e) => setOverlay(e.target.checked)} /> Show heatmap
            </label>
            <span>Heatmap: where the evidence was found, not an outline of the tumour.</span>
          </figcaption>
        </figure>
      ) : (
        <p className="muted">No heatmap for server results.</p>
      )}
      <p className="muted">
        Model {result.model.name} {result.model.version} · {result.backend}
        {result.threads && result.backend === 'WASM' ? ` (${result.threads} thread${result.threads > 1 ? 's' : ''})` : ''} · model {result.ms.toFixed(1)} ms
        {result.totalMs !== undefined ? ` · total ${result.totalMs.toFixed(0)} ms` : ''}
      </p>
    </article>
  );
}
