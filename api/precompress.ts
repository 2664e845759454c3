// Build step (a Vite plugin in vite.config.ts): file.br and file.gz beside every compressible file of
// dist/web, so static.ts sends them as they are instead of compressing 14–27 MB runtimes in each process.
// The ORT runtimes are the same on every build: outputs are kept by content hash and reused.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

export const PRECOMPRESSED = ['.br', '.gz'] as const;
export const COMPRESSIBLE = /\.(wasm|mjs|js|css|html|json|webmanifest|svg|onnx)$/i;
const MIN_BYTES = 1024;
// Brotli's best level takes ~25 s for the 14 MB runtime on these CPUs; level 9 takes 2 s for 14 % more bytes.
const brotliQuality = (bytes: number) => (bytes < 1024 * 1024 ? constants.BROTLI_MAX_QUALITY : 9);

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? filesUnder(path) : [path];
  });
}

async function cached(cacheDir: string, key: string, make: () => Promise<Buffer>): Promise<Buffer> {
  const path = join(cacheDir, key);
  if (existsSync(path)) return readFileSync(path);
  const out = await make();
  writeFileSync(path, out);
  return out;
}

/** Compresses every compressible file under dir (both encodings); returns how many files. */
export async function precompressDir(dir: string, cacheDir: string): Promise<number> {
  mkdirSync(cacheDir, { recursive: true });
  const files = filesUnder(dir).filter((f) => COMPRESSIBLE.test(f) && statSync(f).size >= MIN_BYTES);
  await Promise.all(
    files.map(async (file) => {
      const raw = readFileSync(file);
      const hash = createHash('sha256').update(raw).digest('hex');
      const quality = brotliQuality(raw.length);
      const [br, gz] = await Promise.all([
        cached(cacheDir, `${hash}.q${quality}.br`, () =>
          brotliAsync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } })),
        cached(cacheDir, `${hash}.gz`, () => gzipAsync(raw, { level: constants.Z_BEST_COMPRESSION })),
      ]);
      writeFileSync(`${file}.br`, br);
      writeFileSync(`${file}.gz`, gz);
    }),
  );
  return files.length;
}
