import type { SeriesSlicePoint } from '../../lib/types.ts';

export interface SliceChartProps {
  slices: SeriesSlicePoint[];
  /** Indices of the key slices, most suspicious first (marked and numbered). */
  keySlices: number[];
  /** Horizontal rules: the per-slice decision threshold, and the series one when it has its own. */
  thresholds: Array<{ value: number; label: string }>;
  width?: number;
  height?: number;
}

const pct = (p: number) => `${Math.round(p * 100)} %`;

/**
 * P(tumour) of every slice along the series, as an SVG (prints sharp, needs nothing fetched). The x axis is the slice
 * position along the slice normal in mm when every slice has one, else the slice number. Slices that do not count
 * (outside the validated use, or no diagnosis) are hollow grey marks at the bottom; key slices are numbered.
 */
export function SliceChart({ slices, keySlices, thresholds, width = 680, height = 190 }: SliceChartProps) {
  const m = { left: 46, right: 12, top: 20, bottom: 34 };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const byPosition = slices.length > 1 && slices.every((s) => typeof s.position === 'number' && Number.isFinite(s.position));
  const xOf = (s: SeriesSlicePoint) => (byPosition ? s.position! : s.index + 1);
  const xs = slices.map(xOf);
  const lo = xs.length ? Math.min(...xs) : 0;
  const hi = xs.length ? Math.max(...xs) : 1;
  const span = hi - lo || 1;
  const X = (v: number) => m.left + (slices.length > 1 ? ((v - lo) / span) * w : w / 2);
  const Y = (p: number) => m.top + (1 - p) * h;
  const counted = slices.filter((s) => s.counted && s.tumorProbability !== null);
  const line = counted.map((s) => `${X(xOf(s)).toFixed(1)},${Y(s.tumorProbability!).toFixed(1)}`).join(' ');
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const quarters = slices.length > 1 ? [lo, lo + span / 4, lo + span / 2, lo + (3 * span) / 4, hi] : [lo];
  // Slice numbers are whole: no tick twice.
  const xTicks = byPosition ? quarters : [...new Set(quarters.map((t) => Math.round(t)))];
  const peak = counted.reduce<SeriesSlicePoint | null>((a, s) => (a && a.tumorProbability! >= s.tumorProbability! ? a : s), null);
  const summary =
    `P(tumour) along ${slices.length} slice${slices.length === 1 ? '' : 's'}` +
    (peak ? `, highest ${pct(peak.tumorProbability!)} at slice ${peak.index + 1}` : ', no slice with a diagnosis') +
    (counted.length < slices.length ? `; ${slices.length - counted.length} not counted` : '');
  return (
    <svg className="slice-chart" viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-label={summary} preserveAspectRatio="xMidYMid meet">
      <title>{summary}</title>
      <rect x={m.left} y={m.top} width={w} height={h} className="chart-frame" />
      {ticks.map((t) => (
        <g key={t}>
          <line x1={m.left} x2={m.left + w} y1={Y(t)} y2={Y(t)} className="chart-grid" />
          <text x={m.left - 6} y={Y(t) + 4} textAnchor="end" className="chart-tick">{pct(t)}</text>
        </g>
      ))}
      {xTicks.map((t, i) => (
        <text key={i} x={X(t)} y={m.top + h + 16} textAnchor="middle" className="chart-tick">
          {byPosition ? t.toFixed(0) : Math.round(t)}
        </text>
      ))}
      <text x={m.left + w / 2} y={height - 3} textAnchor="middle" className="chart-axis">
        {byPosition ? 'Slice position along the slice normal (mm)' : 'Slice (in series order)'}
      </text>
      {thresholds.map((t, i) => (
        <g key={t.label}>
          <line x1={m.left} x2={m.left + w} y1={Y(t.value)} y2={Y(t.value)} className={`chart-threshold t${i}`} />
          <text x={m.left + w - 4} y={Y(t.value) - 4} textAnchor="end" className="chart-threshold-label">{t.label}</text>
        </g>
      ))}
      {counted.length > 1 && <polyline points={line} className="chart-line" />}
      {slices.map((s) =>
        s.counted && s.tumorProbability !== null ? (
          <circle key={s.index} cx={X(xOf(s))} cy={Y(s.tumorProbability)} r={2.6} className="chart-point" />
        ) : (
          <circle key={s.index} cx={X(xOf(s))} cy={Y(0)} r={2.6} className="chart-skipped" />
        ),
      )}
      {keySlices.map((k, rank) => {
        const s = slices.find((x) => x.index === k);
        if (!s || s.tumorProbability === null) return null;
        return (
          <g key={k} className="chart-key">
            <circle cx={X(xOf(s))} cy={Y(s.tumorProbability)} r={6} />
            <text x={X(xOf(s))} y={Y(s.tumorProbability) - 9} textAnchor="middle">{rank + 1}</text>
          </g>
        );
      })}
    </svg>
  );
}
