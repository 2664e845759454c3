// A key slice: the crop the model saw, with its evidence map (already weighted by P(tumour), models/core/heatmap.ts).
import { useEffect, useRef } from 'react';
import { evidenceMap } from '../../../models/core/heatmap.ts';
import { greyCanvas, heatCanvas } from '../../lib/draw.ts';

export interface SliceImageProps {
  pixels: Uint8Array;
  cam?: Float32Array;
  camSize?: number;
  tumorProbability: number | null;
  label: string;
  /** CSS px. */
  size?: number;
}

export function SliceImage({ pixels, cam, camSize, tumorProbability, label, size = 192 }: SliceImageProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const side = Math.round(Math.sqrt(pixels.length));
    const base = greyCanvas(pixels, side, side);
    if (!base) return;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(base, 0, 0, canvas.width, canvas.height);
    if (!cam || !camSize) return;
    const heat = heatCanvas(evidenceMap(cam, tumorProbability), camSize, camSize);
    if (!heat) return;
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(heat, 0, 0, canvas.width, canvas.height);
  }, [pixels, cam, camSize, tumorProbability]);
  return <canvas ref={ref} width={size} height={size} className="series-slice-image" role="img" aria-label={label} />;
}
