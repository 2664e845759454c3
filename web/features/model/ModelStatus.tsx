import { MODEL_INFO } from '../../../models/core/model.ts';
import type { Progress } from './delivery.ts';

export interface ModelStatusProps {
  progress: Progress | null;
  cached: boolean;
  swActive: boolean;
  error: string | null;
  unsupported: string | null;
  backend: string | null;
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/** Download progress, then "ready offline" with the model version. */
export function ModelStatus({ progress, cached, swActive, error, unsupported, backend }: ModelStatusProps) {
  const version = `${MODEL_INFO.name} ${MODEL_INFO.version}`;
  if (unsupported) return <p className="model-status warn">On-device analysis unavailable: {unsupported}</p>;
  if (error) return <p className="model-status error">Model download failed: {error}</p>;
  if (!cached) {
    const pct = progress && progress.total ? Math.round((100 * progress.loaded) / progress.total) : 0;
    return (
      <div className="model-status">
        <label htmlFor="model-progress">Downloading model {version}… {progress ? `${mb(progress.loaded)} of ${mb(progress.total)}` : ''}</label>
        <progress id="model-progress" max={100} value={pct} aria-valuetext={`${pct} %`} />
      </div>
    );
  }
  return (
    <p className="model-status ok" data-testid="model-ready">
      {swActive ? 'Ready offline' : 'Model ready'} · model {version}
      {backend ? ` · ${backend}` : ''}
    </p>
  );
}
