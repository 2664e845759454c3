// A fetch body read to its end chunk by chunk, with a running byte count for a progress bar: the model's download
// (features/model/download.ts) and the DICOM decoders' (codec-assets.ts) both go through it.

/** What a body has delivered so far; kept when a read fails part-way, so that a download can resume from it. */
export interface Received {
  chunks: Uint8Array[];
  bytes: number;
}

export const nothingReceived = (): Received => ({ chunks: [], bytes: 0 });

/**
 * Appends every chunk of `body` to `into`, calling onBytes with the running total (what `into` held before
 * included) after each; rejects with the stream's error, leaving the chunks that came before it in `into`.
 */
export async function readBody(body: ReadableStream<Uint8Array>, into: Received, onBytes: (bytes: number) => void): Promise<void> {
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    into.chunks.push(value);
    into.bytes += value.length;
    onBytes(into.bytes);
  }
}

/** The chunks as one array. */
export function joinReceived({ chunks, bytes }: Received): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
