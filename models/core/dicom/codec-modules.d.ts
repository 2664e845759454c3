// The cornerstone codecs ship Emscripten factories without types; these are the parts the decoders use.
interface EmscriptenDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned?: boolean };
  delete(): void;
}
interface EmscriptenCodecModule {
  JPEGDecoder: new () => EmscriptenDecoder;
  JpegLSDecoder: new () => EmscriptenDecoder;
  J2KDecoder: new () => EmscriptenDecoder;
  HTJ2KDecoder: new () => EmscriptenDecoder;
}
type EmscriptenFactory = (options: {
  wasmBinary: ArrayBuffer | Uint8Array;
  print?: (text: string) => void;
  printErr?: (text: string) => void;
}) => Promise<EmscriptenCodecModule>;

declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' { const f: EmscriptenFactory; export default f; }
declare module '@cornerstonejs/codec-charls/decodewasmjs' { const f: EmscriptenFactory; export default f; }
declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' { const f: EmscriptenFactory; export default f; }
declare module '@cornerstonejs/codec-openjph/wasmjs' { const f: EmscriptenFactory; export default f; }
declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    decode(buffer: ArrayBufferLike, offset?: number, length?: number, numBytes?: number): Uint8Array | Uint16Array;
  }
}
