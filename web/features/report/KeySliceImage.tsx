import { useEffect, useRef } from 'react';
import { heatColour } from '../../../models/core/heatmap.ts';
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
      const heat = document.createElement('canvas');
      heat.width = hm.width;
      heat.height = hm.height;
      const hctx = heat.getContext('2d');
      if (!hctx) return;
      const img = hctx.createImageData(hm.width, hm.height);
      for (let i = 0; i < hm.width * hm.height; i++) img.data.set(heatColour(hm.values[i] ?? 0), 4 * i);
      hctx.putImageData(img, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(heat, 0, 0, canvas.width, canvas.height);
    };
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const im = slice.image;
    if ('data' in im) {
      const base = document.createElement('canvas');
      base.width = im.width;
      base.height = im.height;
      const bctx = base.getContext('2d');
      if (!bctx) return;
      const img = bctx.createImageData(im.width, im.height);
      for (let i = 0; i < im.width * im.height; i++) {
        const v = im.data[i] ?? 0;
        img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = v;
        img.data[4 * i + 3] = 255;
      }
      bctx.putImageData(img, 0, 0);
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
