import { MODEL_INFO } from '../../../models/core/model.ts';
import type { Progress } from './delivery.ts';
import type { RetryInfo } from './download.ts';

export interface ModelStatusProps {
  progress: Progress | null;
  cached: boolean;
  swActive: boolean;
  error: string | null;
  unsupported: string | null;
  backend: string | null;
  /** An interrupted download being retried. */
  retry?: RetryInfo | null;
  /** A notice kept visible (e.g. a corrupt cached model was downloaded again). */
  note?: string | null;
  /** Offered with a download error ("Try again"). */
  onRetry?: () => void;
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/** Download progress, then "ready offline" with the model version. */
export function ModelStatus({ progress, cached, swActive, error, unsupported, backend, retry, note, onRetry }: ModelStatusProps) {
  const version = `${MODEL_INFO.name} ${MODEL_INFO.version}`;
  const noteLine = note ? (
    <p className="model-note warn" role="status" data-testid="model-note">
      {note}
    </p>
  ) : null;
  if (unsupported) return <p className="model-status warn">On-device analysis unavailable: {unsupported}</p>;
  if (error)
    return (
      <div className="model-status error" role="alert">
        <span>Model download failed: {error}</span>{' '}
        {onRetry && (
          <button type="button" onClick={onRetry}>
            Try again
          </button>
        )}
      </div>
    );
  if (!cached) {
    const pct = progress && progress.total ? Math.round((100 * progress.loaded) / progress.total) : 0;
    return (
      <div className="model-status">
        <label htmlFor="model-progress">Downloading model {version}… {progress ? `${mb(progress.loaded)} of ${mb(progress.total)}` : ''}</label>
        <progress id="model-progress" max={100} value={pct} aria-valuetext={`${pct} %`} />
        {retry && (
          <span className="model-retry" role="status" data-testid="model-retry">
            Download interrupted — retrying ({retry.attempt}/{retry.of})…
          </span>
        )}
        {noteLine}
      </div>
    );
  }
  return (
    <>
      <p className="model-status ok" data-testid="model-ready">
        {swActive ? 'Ready offline' : 'Model ready'} · model {version}
        {backend ? ` · ${backend}` : ''}
      </p>
      {noteLine}
    </>
  );
}
