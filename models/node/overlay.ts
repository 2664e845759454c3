// The heat map over the crop the model saw, as a PNG data URL: the server's and the CLI's counterpart of
// the PWA's canvas (web/features/analyse/Heatmap.tsx): the crop scaled up as blocks, the map smoothly, the
// same colours (models/core/heatmap.ts).
import sharp from 'sharp';
import { heatColour, type Heatmap } from '../core/heatmap.ts';

export async function overlayPng(crop: Uint8Array, size: number, map: Heatmap, scale = 3): Promise<string> {
  const side = size * scale;
  const heat = new Uint8Array(map.width * map.height * 4);
  map.values.forEach((t, i) => heat.set(heatColour(t), 4 * i));
  const layer = await sharp(heat, { raw: { width: map.width, height: map.height, channels: 4 } })
    .resize(side, side, { kernel: 'cubic', fit: 'fill' })
    .png()
    .toBuffer();
  const png = await sharp(crop, { raw: { width: size, height: size, channels: 1 } })
    .resize(side, side, { kernel: 'nearest' })
    .composite([{ input: layer }])
    .png()
    .toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}
