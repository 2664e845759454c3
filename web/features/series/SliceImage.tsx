// A key slice: the crop the model saw, with its evidence map (already weighted by P(tumour), models/core/heatmap.ts).
import { useEffect, useRef } from 'react';
import { evidenceMap, heatColour } from '../../../models/core/heatmap.ts';

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
    const base = document.createElement('canvas');
    base.width = base.height = side;
    const bctx = base.getContext('2d');
    if (!bctx) return;
    const img = bctx.createImageData(side, side);
    for (let i = 0; i < side * side; i++) img.data.set([pixels[i]!, pixels[i]!, pixels[i]!, 255], 4 * i);
    bctx.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(base, 0, 0, canvas.width, canvas.height);
    if (!cam || !camSize) return;
    const values = evidenceMap(cam, tumorProbability);
    const heat = document.createElement('canvas');
    heat.width = heat.height = camSize;
    const hctx = heat.getContext('2d');
    if (!hctx) return;
    const h = hctx.createImageData(camSize, camSize);
    for (let i = 0; i < camSize * camSize; i++) h.data.set(heatColour(values[i] ?? 0), 4 * i);
    hctx.putImageData(h, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(heat, 0, 0, canvas.width, canvas.height);
  }, [pixels, cam, camSize, tumorProbability]);
  return <canvas ref={ref} width={size} height={size} className="series-slice-image" role="img" aria-label={label} />;
}
