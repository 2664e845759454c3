// Sequential DCT JPEG with Huffman coding (ITU-T T.81 processes 1, 2 and 4: SOF0 and SOF1), 8- or 12-bit samples,
// in plain TypeScript: the 12-bit frames of JPEG Extended (1.2.840.10008.1.2.4.51), which the 8-bit libjpeg-turbo
// build cannot decode. Huffman decoding as F.2.2, dequantisation, a float separable IDCT (A.3.3), level shift by
// 2^(P−1) and a clamp to [0, 2^P − 1]. Progressive, lossless, hierarchical and arithmetic-coded frames throw.
// Every allocation is bounded by the size the caller expects (the DICOM Rows × Columns), and every loop consumes
// input or ends: a malformed or truncated codestream throws, it never hangs.

export interface JpegDctImage {
  width: number;
  height: number;
  precision: number;
  components: number;
  /** Interleaved samples, component by component within each pixel, on [0, 2^precision − 1]; chroma replicated. */
  samples: Uint16Array;
}

class JpegError extends Error {}
const fail = (why: string): never => {
  throw new JpegError(why);
};

interface Huffman {
  /** Per code length 1–16: the largest code of that length (−1 if none), and where its values start. */
  maxCode: Int32Array;
  valPtr: Int32Array;
  minCode: Int32Array;
  values: Uint8Array;
}

interface Component {
  id: number;
  h: number;
  v: number;
  tq: number;
  /** Blocks across and down the component's plane (whole MCUs in an interleaved scan). */
  blocksX: number;
  blocksY: number;
  /** The component's plane, 8 × blocksX wide; samples already level-shifted and clamped. */
  plane: Uint16Array;
  /** Columns and rows the component really covers (before padding to blocks). */
  width: number;
  height: number;
  pred: number;
  dc: Huffman | null;
  ac: Huffman | null;
}

// Zigzag order (Figure A.6): the natural-order position of the k-th coefficient.
const ZIGZAG = Uint8Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
]);

// IDCT basis (A.3.3): COS[x * 8 + u] = C(u)/2 · cos((2x + 1)uπ/16).
const COS = new Float64Array(64);
for (let x = 0; x < 8; x++) {
  for (let u = 0; u < 8; u++) COS[x * 8 + u] = ((u === 0 ? Math.SQRT1_2 : 1) / 2) * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
}

function buildHuffman(counts: Uint8Array, values: Uint8Array): Huffman {
  // C.2: codes of each length, in order; a table whose codes overflow their length is not a prefix code.
  const maxCode = new Int32Array(18).fill(-1);
  const valPtr = new Int32Array(17);
  const minCode = new Int32Array(17);
  let code = 0, k = 0;
  for (let len = 1; len <= 16; len++) {
    const n = counts[len - 1]!;
    if (n > 0) {
      valPtr[len] = k;
      minCode[len] = code;
      code += n;
      k += n;
      if (code > 2 ** len) fail('a Huffman table has more codes than its lengths allow');
      maxCode[len] = code - 1;
    }
    code <<= 1;
  }
  return { maxCode, valPtr, minCode, values };
}

/** Entropy-coded data, bit by bit (F.2.2.5), with 0xFF00 unstuffed; stops at a marker. */
class Bits {
  pos: number;
  private byte = 0;
  private left = 0;
  /** Zero bytes fed after the entropy-coded data ended (libjpeg's leniency for a slightly short segment). */
  private padded = 0;

  constructor(private readonly data: Uint8Array, start: number) {
    this.pos = start;
  }

  private load(): void {
    const d = this.data;
    if (this.pos >= d.length) fail('the entropy-coded data is cut short');
    const b = d[this.pos]!;
    if (b === 0xff) {
      const next = this.pos + 1 < d.length ? d[this.pos + 1]! : fail('the entropy-coded data is cut short');
      if (next !== 0) {
        // A marker: the segment ended early. A few zero bits are tolerated, as libjpeg does; more is corruption.
        if (++this.padded > 4) fail('the entropy-coded data ends before the image is complete');
        this.byte = 0;
        this.left = 8;
        return;
      }
      this.pos += 2;
    } else {
      this.pos += 1;
    }
    this.byte = b;
    this.left = 8;
  }

  bit(): number {
    if (this.left === 0) this.load();
    this.left--;
    return (this.byte >> this.left) & 1;
  }

  /** n bits (0–16), most significant first. */
  receive(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = (v << 1) | this.bit();
    return v;
  }

  /** F.2.2.3 DECODE: one Huffman value. */
  decode(t: Huffman): number {
    let code = this.bit();
    for (let len = 1; len <= 16; len++) {
      if (code <= t.maxCode[len]!) return t.values[t.valPtr[len]! + code - t.minCode[len]!]!;
      code = (code << 1) | this.bit();
    }
    return fail('a Huffman code matches no table entry');
  }

  /** Before a restart marker: drop the rest of the byte, then expect RSTn (fill bytes 0xFF allowed). */
  restart(n: number): void {
    this.left = 0;
    this.padded = 0;
    const d = this.data;
    while (this.pos < d.length && d[this.pos] === 0xff && d[this.pos + 1] === 0xff) this.pos++;
    if (this.pos + 1 >= d.length || d[this.pos] !== 0xff || d[this.pos + 1] !== 0xd0 + (n & 7)) fail(`restart marker RST${n & 7} missing`);
    this.pos += 2;
  }
}

/** F.2.2.1 EXTEND. */
const extend = (v: number, t: number) => (t === 0 ? 0 : v < 1 << (t - 1) ? v - (1 << t) + 1 : v);

/**
 * Decodes a sequential DCT JPEG (SOF0/SOF1, Huffman) of `width` × `height` pixels; throws on anything else, on a
 * frame of another size, and on malformed or truncated data.
 */
export function decodeJpegDct(jpeg: Uint8Array, expected: { width: number; height: number }): JpegDctImage {
  const end = jpeg.length;
  const u16 = (at: number) => (at + 1 < end ? (jpeg[at]! << 8) | jpeg[at + 1]! : fail('a marker segment is cut short'));
  if (end < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) fail('no SOI marker');
  const quant: Array<Float64Array | undefined> = [];
  const dcTables: Array<Huffman | undefined> = [];
  const acTables: Array<Huffman | undefined> = [];
  let restartInterval = 0;
  let frame: { precision: number; width: number; height: number; components: Component[]; hMax: number; vMax: number; mcusX: number; mcusY: number } | null = null;
  let scans = 0;
  let pos = 2;
  for (;;) {
    // Next marker: fill bytes (0xFF) may precede it; anything else between segments is corruption.
    if (pos >= end) {
      if (frame && scans > 0) break; // no EOI after complete scans: accept, as libjpeg does
      fail('the codestream ends before its image data');
    }
    if (jpeg[pos] !== 0xff) fail(`expected a marker at byte ${pos}`);
    while (pos < end && jpeg[pos] === 0xff) pos++;
    if (pos >= end) fail('the codestream ends in fill bytes');
    const marker = jpeg[pos++]!;
    if (marker === 0xd9) break; // EOI
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) fail(`unexpected marker 0xFF${marker.toString(16).toUpperCase()}`);
    const length = u16(pos);
    if (length < 2 || pos + length > end) fail(`marker 0xFF${marker.toString(16).toUpperCase()} has a length of ${length} past the end`);
    const seg = pos + 2;
    const segEnd = pos + length;
    pos = segEnd;
    if (marker === 0xc0 || marker === 0xc1) {
      if (frame) fail('a second frame header');
      const nf = jpeg[seg + 5] ?? 0;
      if (length !== 8 + 3 * nf) fail(`the frame header's length ${length} does not fit ${nf} components`);
      const precision = jpeg[seg]!;
      const height = u16(seg + 1), width = u16(seg + 3);
      if (precision !== 8 && precision !== 12) fail(`sample precision ${precision}`);
      if (width !== expected.width || height !== expected.height) fail(`the frame is ${width}×${height}, expected ${expected.width}×${expected.height}`);
      if (nf !== 1 && nf !== 3) fail(`${nf} components`);
      const comps: Component[] = [];
      for (let c = 0; c < nf; c++) {
        const at = seg + 6 + 3 * c;
        const h = jpeg[at + 1]! >> 4, v = jpeg[at + 1]! & 15, tq = jpeg[at + 2]!;
        if (h < 1 || h > 4 || v < 1 || v > 4 || tq > 3) fail('a component has bad sampling factors or table');
        comps.push({ id: jpeg[at]!, h, v, tq, blocksX: 0, blocksY: 0, plane: new Uint16Array(0), width: 0, height: 0, pred: 0, dc: null, ac: null });
      }
      const hMax = Math.max(...comps.map((c) => c.h)), vMax = Math.max(...comps.map((c) => c.v));
      const mcusX = Math.ceil(width / (8 * hMax)), mcusY = Math.ceil(height / (8 * vMax));
      for (const c of comps) {
        c.width = Math.ceil((width * c.h) / hMax);
        c.height = Math.ceil((height * c.v) / vMax);
        c.blocksX = mcusX * c.h;
        c.blocksY = mcusY * c.v;
        // At most (width + 32) × (height + 32) samples: bounded by the expected size.
        c.plane = new Uint16Array(c.blocksX * 8 * c.blocksY * 8);
      }
      frame = { precision, width, height, components: comps, hMax, vMax, mcusX, mcusY };
    } else if ((marker >= 0xc2 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xf7) {
      const kind = marker === 0xc2 || marker === 0xc6 ? 'progressive' : marker === 0xc3 || marker === 0xc7 || marker === 0xf7 ? 'lossless' : marker >= 0xc9 ? 'arithmetic-coded' : 'hierarchical';
      fail(`${kind} JPEG (SOF${(marker - 0xc0).toString()}) is not decoded here`);
    } else if (marker === 0xcc) {
      fail('arithmetic coding');
    } else if (marker === 0xdb) {
      for (let p = seg; p < segEnd;) {
        const pq = jpeg[p]! >> 4, tq = jpeg[p]! & 15;
        if (pq > 1 || tq > 3) fail('a quantisation table with bad precision or id');
        const size = pq ? 128 : 64;
        if (p + 1 + size > segEnd) fail('a quantisation table overruns its segment');
        const q = new Float64Array(64);
        for (let k = 0; k < 64; k++) q[ZIGZAG[k]!] = pq ? u16(p + 1 + 2 * k) : jpeg[p + 1 + k]!;
        quant[tq] = q;
        p += 1 + size;
      }
    } else if (marker === 0xc4) {
      for (let p = seg; p < segEnd;) {
        if (p + 17 > segEnd) fail('a Huffman table overruns its segment');
        const tc = jpeg[p]! >> 4, th = jpeg[p]! & 15;
        if (tc > 1 || th > 3) fail('a Huffman table with bad class or id');
        const counts = jpeg.slice(p + 1, p + 17);
        let total = 0;
        for (const n of counts) total += n;
        if (total > 256 || p + 17 + total > segEnd) fail('a Huffman table overruns its segment');
        const table = buildHuffman(counts, jpeg.slice(p + 17, p + 17 + total));
        (tc ? acTables : dcTables)[th] = table;
        p += 17 + total;
      }
    } else if (marker === 0xdd) {
      if (length !== 4) fail(`the DRI segment's length is ${length}, not 4`);
      restartInterval = u16(seg);
    } else if (marker === 0xda) {
      if (!frame) fail('a scan before the frame header');
      const f = frame!;
      const ns = jpeg[seg]!;
      if (ns < 1 || ns > 4 || length !== 6 + 2 * ns) fail(`the scan header's length ${length} does not fit ${ns} components`);
      const scan: Component[] = [];
      for (let i = 0; i < ns; i++) {
        const id = jpeg[seg + 1 + 2 * i]!, t = jpeg[seg + 2 + 2 * i]!;
        const c = f.components.find((x) => x.id === id) ?? fail(`the scan names component ${id}, which the frame lacks`);
        if (scan.includes(c)) fail('the scan names a component twice');
        c.dc = dcTables[t >> 4] ?? fail('the scan uses a DC Huffman table that is not defined');
        c.ac = acTables[t & 15] ?? fail('the scan uses an AC Huffman table that is not defined');
        if (!quant[c.tq]) fail('a component uses a quantisation table that is not defined');
        scan.push(c);
      }
      if (ns > 1 && scan.reduce((n, c) => n + c.h * c.v, 0) > 10) fail('more than 10 blocks in an MCU');
      // Ss, Se, Ah/Al are 0, 63, 0 in a sequential scan; some encoders write others, which libjpeg ignores too.
      pos = decodeScan(jpeg, segEnd, f, scan, quant, restartInterval);
      scans++;
    } else if (marker === 0xdc) {
      fail('DNL markers are not supported');
    }
    // APPn, COM and other segments: skipped.
  }
  if (!frame || scans === 0) fail('no image data');
  return assemble(frame!);
}

function decodeScan(
  jpeg: Uint8Array, start: number,
  frame: { precision: number; mcusX: number; mcusY: number },
  scan: Component[], quant: Array<Float64Array | undefined>, restartInterval: number,
): number {
  const bits = new Bits(jpeg, start);
  const coef = new Float64Array(64);
  const tmp = new Float64Array(64);
  const shift = 1 << (frame.precision - 1);
  const top = (1 << frame.precision) - 1;
  for (const c of scan) c.pred = 0;

  const block = (c: Component, bx: number, by: number) => {
    const q = quant[c.tq]!;
    coef.fill(0);
    // F.2.2.1: the DC difference, then F.2.2.2: the AC coefficients, run/size pairs until EOB or 63.
    const t = bits.decode(c.dc!);
    if (t > 16) fail('a DC difference of more than 16 bits');
    c.pred += extend(bits.receive(t), t);
    coef[0] = c.pred * q[0]!;
    for (let k = 1; k < 64;) {
      const rs = bits.decode(c.ac!);
      const s = rs & 15, r = rs >> 4;
      if (s === 0) {
        if (r !== 15) break;
        k += 16;
        continue;
      }
      k += r;
      if (k > 63) fail('AC coefficients run past the block');
      const z = ZIGZAG[k]!;
      coef[z] = extend(bits.receive(s), s) * q[z]!;
      k++;
    }
    // A.3.3, separable: rows (over u) then columns (over v), into the plane.
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        let sum = 0;
        for (let u = 0; u < 8; u++) sum += COS[x * 8 + u]! * coef[y * 8 + u]!;
        tmp[y * 8 + x] = sum;
      }
    }
    const stride = c.blocksX * 8;
    let o = by * 8 * stride + bx * 8;
    for (let y = 0; y < 8; y++, o += stride) {
      for (let x = 0; x < 8; x++) {
        let sum = 0;
        for (let v = 0; v < 8; v++) sum += COS[y * 8 + v]! * tmp[v * 8 + x]!;
        const s = Math.round(sum) + shift;
        c.plane[o + x] = s < 0 ? 0 : s > top ? top : s;
      }
    }
  };

  const single = scan.length === 1;
  const only = scan[0]!;
  // A non-interleaved scan covers only the component's own blocks (A.2.2); an interleaved one whole MCUs (A.2.3).
  const perRow = single ? Math.ceil(only.width / 8) : frame.mcusX;
  const units = perRow * (single ? Math.ceil(only.height / 8) : frame.mcusY);
  let restarts = 0;
  for (let m = 0; m < units; m++) {
    if (restartInterval > 0 && m > 0 && m % restartInterval === 0) {
      bits.restart(restarts++);
      for (const c of scan) c.pred = 0;
    }
    const mx = m % perRow, my = (m - mx) / perRow;
    if (single) {
      block(only, mx, my);
    } else {
      for (const c of scan) {
        for (let v = 0; v < c.v; v++) for (let h = 0; h < c.h; h++) block(c, mx * c.h + h, my * c.v + v);
      }
    }
  }
  // After the scan: the next marker, skipping the byte padding (and any stray RST); scanning only moves forward.
  let p = bits.pos;
  while (p < jpeg.length) {
    if (jpeg[p] === 0xff && p + 1 < jpeg.length) {
      const n = jpeg[p + 1]!;
      if (n !== 0 && n !== 0xff && !(n >= 0xd0 && n <= 0xd7)) return p;
      p += n === 0xff ? 1 : 2;
    } else {
      p++;
    }
  }
  return p;
}

function assemble(frame: { width: number; height: number; precision: number; components: Component[]; hMax: number; vMax: number }): JpegDctImage {
  const { width, height, components } = frame;
  const nc = components.length;
  const samples = new Uint16Array(width * height * nc);
  components.forEach((c, ci) => {
    const stride = c.blocksX * 8;
    // Chroma at lower resolution: each sample replicated over the pixels it covers.
    const sx = c.h / frame.hMax, sy = c.v / frame.vMax;
    for (let y = 0; y < height; y++) {
      const row = Math.floor(y * sy) * stride;
      for (let x = 0; x < width; x++) samples[(y * width + x) * nc + ci] = c.plane[row + Math.floor(x * sx)]!;
    }
  });
  return { width, height, precision: frame.precision, components: nc, samples };
}
