// Pixels onto small canvases, for every picture the app draws (the crop the model saw, its evidence map, the
// viewer's windowed slice): the caller scales them onto its own canvas with the smoothing it wants.
import { heatColour } from '../../models/core/heatmap.ts';

/** A width × height canvas whose RGBA pixels `fill` writes; null where canvases cannot draw (jsdom). */
export function imageCanvas(width: number, height: number, fill: (rgba: Uint8ClampedArray) => void): HTMLCanvasElement | null {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  const img = ctx.createImageData(width, height);
  fill(img.data);
  ctx.putImageData(img, 0, 0);
  return canvas;
}

/** Grey pixels (one byte each), opaque. */
export const greyCanvas = (grey: ArrayLike<number>, width: number, height: number) =>
  imageCanvas(width, height, (rgba) => {
    for (let i = 0; i < width * height; i++) {
      const v = grey[i] ?? 0;
      rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = v;
      rgba[4 * i + 3] = 255;
    }
  });

/** An evidence map (values in [0, 1], models/core/heatmap.ts) in the shared heat colours. */
export const heatCanvas = (values: ArrayLike<number>, width: number, height: number) =>
  imageCanvas(width, height, (rgba) => {
    for (let i = 0; i < width * height; i++) rgba.set(heatColour(values[i] ?? 0), 4 * i);
  });
