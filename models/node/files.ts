import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const IMAGE_EXT = /\.(jpe?g|png|webp)$/i;

/** Image files under the given files or folders, recursively, in a stable order. */
export function listImages(paths: string[], all = false): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) walk(join(p, name));
    } else if (all || IMAGE_EXT.test(p)) {
      out.push(p);
    }
  };
  for (const p of paths) walk(p);
  return out;
}
