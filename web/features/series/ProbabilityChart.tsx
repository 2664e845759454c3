// P(tumour) along the series: slice position along the normal on the x axis (slice number when positions are
// unknown), the series threshold as a line, key slices ringed, slices that do not count as grey ticks at the foot.
import { SERIES_RULE } from '../../../models/core/model.ts';

export interface ChartPoint {
  index: number;
  position: number | null;
  tumorProbability: number | null;
  counted: boolean;
}

export interface ProbabilityChartProps {
  points: ChartPoint[];
  keySlices: number[];
  current?: number | null;
  onSelect?: (index: number) => void;
}

const W = 640, H = 200, L = 44, R = 12, T = 12, B = 36;

export function ProbabilityChart({ points, keySlices, current = null, onSelect }: ProbabilityChartProps) {
  const byPosition = points.length > 1 && points.every((p) => p.position !== null);
  const xs = points.map((p) => (byPosition ? p.position! : p.index + 1));
  const lo = Math.min(...xs), hi = Math.max(...xs);
  const x = (v: number) => L + (hi > lo ? ((v - lo) / (hi - lo)) * (W - L - R) : (W - L - R) / 2);
  const y = (p: number) => T + (1 - p) * (H - T - B);
  const counted = points.filter((p) => p.counted && p.tumorProbability !== null);
  const line = points.flatMap((p, i) => (p.counted && p.tumorProbability !== null ? [`${x(xs[i]!).toFixed(1)},${y(p.tumorProbability).toFixed(1)}`] : [])).join(' ');
  const keys = new Set(keySlices);
  const max = counted.reduce((m, p) => Math.max(m, p.tumorProbability!), 0);
  const summary = `P(tumour) along the series, ${points.length} slices by ${byPosition ? 'position (mm)' : 'slice number'}; ` +
    `${counted.length} counted, highest ${(max * 100).toFixed(0)} %; threshold ${(SERIES_RULE.threshold * 100).toFixed(0)} %.`;
  return (
    <figure className="series-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary} preserveAspectRatio="xMidYMid meet">
        {[0, 0.5, 1].map((p) => (
          <g key={p}>
            <line x1={L} x2={W - R} y1={y(p)} y2={y(p)} stroke="#c9d6df" strokeWidth={1} />
            <text x={L - 6} y={y(p) + 4} textAnchor="end" fontSize={12} fill="currentColor">{Math.round(p * 100)} %</text>
          </g>
        ))}
        <line x1={L} x2={W - R} y1={y(SERIES_RULE.threshold)} y2={y(SERIES_RULE.threshold)} stroke="#a3161b" strokeDasharray="6 4" strokeWidth={1.5} />
        <text x={W - R} y={y(SERIES_RULE.threshold) - 4} textAnchor="end" fontSize={11} fill="#a3161b">threshold</text>
        {current !== null && points[current] && (
          <line x1={x(xs[current]!)} x2={x(xs[current]!)} y1={T} y2={H - B} stroke="#0b3d5c" strokeWidth={2} data-current={current} />
        )}
        <polyline points={line} fill="none" stroke="#0b3d5c" strokeWidth={1.5} />
        {points.map((p, i) =>
          p.counted && p.tumorProbability !== null ? (
            <circle
              key={i}
              cx={x(xs[i]!)}
              cy={y(p.tumorProbability)}
              r={keys.has(i) ? 6 : 3.5}
              fill={p.tumorProbability >= SERIES_RULE.threshold ? '#a3161b' : '#1d6b35'}
              stroke={keys.has(i) ? '#10212b' : 'none'}
              strokeWidth={2}
              data-slice={i}
              onClick={onSelect ? () => onSelect(i) : undefined}
              style={onSelect ? { cursor: 'pointer' } : undefined}
            />
          ) : (
            <rect key={i} x={x(xs[i]!) - 2} y={H - B - 8} width={4} height={8} fill="#8a99a3" data-slice={i} data-outside="" onClick={onSelect ? () => onSelect(i) : undefined} />
          ),
        )}
        <text x={(L + W - R) / 2} y={H - 8} textAnchor="middle" fontSize={12} fill="currentColor">
          {byPosition ? `slice position along the normal (mm), ${lo.toFixed(0)} to ${hi.toFixed(0)}` : `slice number, 1 to ${points.length}`}
        </text>
      </svg>
      <figcaption className="muted">P(tumour) per slice. Grey ticks: slices outside the validated use or not read (they do not count). Ringed: key slices.</figcaption>
    </figure>
  );
}
