import { useEffect, useRef } from 'react';
import { greyCanvas, heatCanvas } from '../../lib/draw.ts';
import type { SeriesKeySlice } from '../../lib/types.ts';

/** A key slice: the crop the model saw with its evidence map over it, drawn on a canvas (prints as it shows). */
export function KeySliceImage({ slice, size = 150, label }: { slice: SeriesKeySlice; size?: number; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    let cancelled = false;
    const overlay = () => {
      const hm = slice.heatmap;
      if (!hm || !hm.width || !hm.height) return;
      const heat = heatCanvas(hm.values, hm.width, hm.height);
      if (!heat) return;
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(heat, 0, 0, canvas.width, canvas.height);
    };
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const im = slice.image;
    if ('data' in im) {
      const base = greyCanvas(im.data, im.width, im.height);
      if (!base) return;
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(base, 0, 0, canvas.width, canvas.height);
      overlay();
    } else {
      const img = new Image();
      img.onload = () => {
        if (cancelled) return;
        ctx.imageSmoothingEnabled = false;
        ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
        overlay();
      };
      img.src = im.src;
    }
    return () => {
      cancelled = true;
    };
  }, [slice]);
  return <canvas ref={ref} width={size * 2} height={size * 2} style={{ width: size, height: size }} className="key-slice" role="img" aria-label={label} />;
}
