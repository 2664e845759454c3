// The model card's pictures: a confusion matrix and a reliability diagram, SVG rendered to PNG.
import sharp from 'sharp';
import type { Metrics } from '../node/evaluate.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export async function confusionPng(m: Metrics['brainMri']['confusion'], title: string): Promise<Buffer> {
  const cell = 70, left = 120, top = 90;
  const w = left + cell * m.columns.length + 20, h = top + cell * m.rows.length + 20;
  const max = Math.max(...m.counts.flat(), 1);
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="DejaVu Sans, sans-serif"><rect width="100%" height="100%" fill="white"/>`;
  svg += `<text x="${w / 2}" y="22" font-size="15" text-anchor="middle">${esc(title)}</text>`;
  svg += `<text x="${left + (cell * m.columns.length) / 2}" y="44" font-size="12" text-anchor="middle">predicted</text>`;
  m.columns.forEach((c, j) => (svg += `<text x="${left + j * cell + cell / 2}" y="${top - 10}" font-size="11" text-anchor="middle">${esc(c)}</text>`));
  m.rows.forEach((r, i) => {
    svg += `<text x="${left - 8}" y="${top + i * cell + cell / 2 + 4}" font-size="11" text-anchor="end">${esc(r)}</text>`;
    m.counts[i]!.forEach((v, j) => {
      const shade = Math.round(255 - (v / max) * 200);
      svg += `<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell - 2}" height="${cell - 2}" fill="rgb(${shade},${shade},255)"/>`;
      svg += `<text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2 + 5}" font-size="15" text-anchor="middle" fill="${v / max > 0.6 ? 'white' : 'black'}">${v}</text>`;
    });
  });
  svg += `<text x="14" y="${top + (cell * m.rows.length) / 2}" font-size="12" transform="rotate(-90 14 ${top + (cell * m.rows.length) / 2})" text-anchor="middle">true</text></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

export async function reliabilityPng(bins: Metrics['brainMri']['reliability'], title: string): Promise<Buffer> {
  const size = 300, pad = 50, w = size + pad * 2, h = size + pad * 2;
  const x = (v: number) => pad + v * size, y = (v: number) => pad + size - v * size;
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="DejaVu Sans, sans-serif"><rect width="100%" height="100%" fill="white"/>`;
  svg += `<text x="${w / 2}" y="22" font-size="14" text-anchor="middle">${esc(title)}</text>`;
  svg += `<rect x="${pad}" y="${pad}" width="${size}" height="${size}" fill="none" stroke="#888"/>`;
  svg += `<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#bbb" stroke-dasharray="4 4"/>`;
  bins.forEach((b, i) => {
    if (!b.n) return;
    svg += `<rect x="${x(i / 10) + 2}" y="${y(b.observed)}" width="${size / 10 - 4}" height="${size * b.observed}" fill="#4a78c2" opacity="0.75"/>`;
    svg += `<circle cx="${x(b.meanPredicted)}" cy="${y(b.observed)}" r="3" fill="#c24a4a"/>`;
    svg += `<text x="${x(i / 10) + size / 20}" y="${y(0) + 14}" font-size="9" text-anchor="middle">${b.n}</text>`;
  });
  svg += `<text x="${w / 2}" y="${h - 8}" font-size="12" text-anchor="middle">predicted P(tumour) (n per bin below axis)</text>`;
  svg += `<text x="14" y="${h / 2}" font-size="12" transform="rotate(-90 14 ${h / 2})" text-anchor="middle">observed tumour fraction</text></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
