// Generates the PWA icons (192, 512, maskable 512, apple-touch 180) into public/icons with sharp.
// Run: npx tsx web/scripts/make-icons.ts
import { mkdirSync } from 'node:fs';
import sharp from 'sharp';

const out = new URL('../../public/icons/', import.meta.url);
mkdirSync(out, { recursive: true });

/** A brain outline (two hemispheres and gyri) with a scan line, on the app's theme colour. */
function svg(size: number, { maskable }: { maskable: boolean }): string {
  // Maskable icons keep their art inside the central 80 % safe zone.
  const scale = maskable ? 0.62 : 0.8;
  const r = maskable ? 0 : size * 0.18;
  const s = size * scale;
  const o = (size - s) / 2;
  const p = (x: number, y: number) => `${(o + x * s).toFixed(1)},${(o + y * s).toFixed(1)}`;
  const w = Math.max(2, size * 0.035);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">
  <rect width="${size}" height="${size}" rx="${r}" fill="#0b3d5c"/>
  <g fill="none" stroke="#e8f4fa" stroke-width="${w}" stroke-linecap="round" stroke-linejoin="round">
    <path d="M${p(0.48, 0.1)} C${p(0.2, 0.05)} ${p(0.02, 0.25)} ${p(0.06, 0.5)} C${p(0.02, 0.75)} ${p(0.2, 0.95)} ${p(0.48, 0.9)} Z"/>
    <path d="M${p(0.52, 0.1)} C${p(0.8, 0.05)} ${p(0.98, 0.25)} ${p(0.94, 0.5)} C${p(0.98, 0.75)} ${p(0.8, 0.95)} ${p(0.52, 0.9)} Z"/>
    <path d="M${p(0.18, 0.3)} C${p(0.3, 0.35)} ${p(0.3, 0.45)} ${p(0.2, 0.55)}"/>
    <path d="M${p(0.82, 0.3)} C${p(0.7, 0.35)} ${p(0.7, 0.45)} ${p(0.8, 0.55)}"/>
    <path d="M${p(0.25, 0.72)} C${p(0.35, 0.68)} ${p(0.4, 0.75)} ${p(0.38, 0.82)}"/>
  </g>
  <circle cx="${(o + 0.7 * s).toFixed(1)}" cy="${(o + 0.68 * s).toFixed(1)}" r="${(s * 0.09).toFixed(1)}" fill="#ff8a3d"/>
</svg>`;
}

const icons: Array<[string, number, boolean]> = [
  ['icon-192.png', 192, false],
  ['icon-512.png', 512, false],
  ['maskable-512.png', 512, true],
  ['apple-touch-icon.png', 180, true],
];
for (const [name, size, maskable] of icons) {
  await sharp(Buffer.from(svg(size, { maskable }))).png({ compressionLevel: 9 }).toFile(new URL(name, out).pathname);
  console.log(`public/icons/${name}`);
}
