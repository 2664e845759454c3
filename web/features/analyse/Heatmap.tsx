import { useEffect, useRef } from 'react';
import { evidenceMap } from '../../../models/core/heatmap.ts';
import { greyCanvas, heatCanvas } from '../../lib/draw.ts';

export interface HeatmapProps {
  pixels: Uint8Array;
  size: number;
  cam?: Float32Array;
  camSize?: number;
  /** Weights the map (models/core/heatmap.ts): a confident No Tumor shows almost nothing. */
  tumorProbability: number | null;
  showOverlay: boolean;
  scale?: number;
}

/** The crop the model saw, with the evidence map blended over it (smoothly upsampled). */
export function Heatmap({ pixels, size, cam, camSize, tumorProbability, showOverlay, scale = 3 }: HeatmapProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const base = greyCanvas(pixels, size, size);
    if (!base) return;
    ctx.imageSmoothingEnabled = false;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(base, 0, 0, canvas.width, canvas.height);
    if (!showOverlay || !cam || !camSize) return;
    const heat = heatCanvas(evidenceMap(cam, tumorProbability), camSize, camSize);
    if (!heat) return;
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(heat, 0, 0, canvas.width, canvas.height);
  }, [pixels, size, cam, camSize, tumorProbability, showOverlay]);
  return <canvas ref={ref} width={size * scale} height={size * scale} className="heatmap" aria-label={showOverlay ? 'Image the model saw, with the evidence map over it' : 'Image the model saw'} role="img" />;
}
