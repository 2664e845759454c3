// The one table from transfer syntax UID to how its pixel data is stored and which codec decodes it.
export type Codec =
  | 'native' // uncompressed
  | 'rle' // RLE Lossless (PS3.5 G)
  | 'jpeg-baseline' // JPEG DCT: 8-bit by libjpeg-turbo, 12-bit by jpeg12.ts
  | 'jpeg-lossless' // JPEG lossless, processes 14 and SV1 (jpeg-lossless-decoder-js)
  | 'jpeg-ls' // JPEG-LS lossless and near-lossless (CharLS)
  | 'jpeg2000' // JPEG 2000 lossless and lossy (OpenJPEG)
  | 'htj2k'; // High-Throughput JPEG 2000 (OpenJPH)

export interface TransferSyntax {
  uid: string;
  name: string;
  codec: Codec;
  /** Byte order of the data set and of native pixel data. */
  bigEndian: boolean;
  explicitVr: boolean;
  deflated: boolean;
}

const ts = (uid: string, name: string, codec: Codec, extra: Partial<TransferSyntax> = {}): TransferSyntax => ({
  uid, name, codec, bigEndian: false, explicitVr: true, deflated: false, ...extra,
});

export const TRANSFER_SYNTAXES: readonly TransferSyntax[] = [
  ts('1.2.840.10008.1.2', 'Implicit VR Little Endian', 'native', { explicitVr: false }),
  ts('1.2.840.10008.1.2.1', 'Explicit VR Little Endian', 'native'),
  ts('1.2.840.10008.1.2.1.99', 'Deflated Explicit VR Little Endian', 'native', { deflated: true }),
  ts('1.2.840.10008.1.2.2', 'Explicit VR Big Endian', 'native', { bigEndian: true }),
  ts('1.2.840.10008.1.2.5', 'RLE Lossless', 'rle'),
  ts('1.2.840.10008.1.2.4.50', 'JPEG Baseline (Process 1)', 'jpeg-baseline'),
  ts('1.2.840.10008.1.2.4.51', 'JPEG Extended (Process 2 & 4)', 'jpeg-baseline'),
  ts('1.2.840.10008.1.2.4.57', 'JPEG Lossless (Process 14)', 'jpeg-lossless'),
  ts('1.2.840.10008.1.2.4.70', 'JPEG Lossless SV1 (Process 14, Selection Value 1)', 'jpeg-lossless'),
  ts('1.2.840.10008.1.2.4.80', 'JPEG-LS Lossless', 'jpeg-ls'),
  ts('1.2.840.10008.1.2.4.81', 'JPEG-LS Near-Lossless', 'jpeg-ls'),
  ts('1.2.840.10008.1.2.4.90', 'JPEG 2000 Lossless', 'jpeg2000'),
  ts('1.2.840.10008.1.2.4.91', 'JPEG 2000', 'jpeg2000'),
  ts('1.2.840.10008.1.2.4.201', 'HTJ2K Lossless', 'htj2k'),
  ts('1.2.840.10008.1.2.4.202', 'HTJ2K Lossless RPCL', 'htj2k'),
  ts('1.2.840.10008.1.2.4.203', 'HTJ2K', 'htj2k'),
];

const BY_UID = new Map(TRANSFER_SYNTAXES.map((t) => [t.uid, t]));

export const transferSyntaxOf = (uid: string): TransferSyntax | undefined => BY_UID.get(uid);
