import { useEffect, useRef } from 'react';
import { evidenceMap, heatColour } from '../../../models/core/heatmap.ts';

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
    const img = ctx.createImageData(size, size);
    for (let i = 0; i < size * size; i++) {
      const v = pixels[i] ?? 0;
      img.data[4 * i] = v;
      img.data[4 * i + 1] = v;
      img.data[4 * i + 2] = v;
      img.data[4 * i + 3] = 255;
    }
    const base = new OffscreenCanvas(size, size);
    base.getContext('2d')?.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(base, 0, 0, canvas.width, canvas.height);
    if (!showOverlay || !cam || !camSize) return;
    const scaled = evidenceMap(cam, tumorProbability);
    const heat = new OffscreenCanvas(camSize, camSize);
    const hctx = heat.getContext('2d');
    if (!hctx) return;
    const h = hctx.createImageData(camSize, camSize);
    for (let i = 0; i < camSize * camSize; i++) h.data.set(heatColour(scaled[i] ?? 0), 4 * i);
    hctx.putImageData(h, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(heat, 0, 0, canvas.width, canvas.height);
  }, [pixels, size, cam, camSize, tumorProbability, showOverlay]);
  return <canvas ref={ref} width={size * scale} height={size * scale} className="heatmap" aria-label={showOverlay ? 'Image the model saw, with the evidence map over it' : 'Image the model saw'} role="img" />;
}
