/** Largest image accepted, checked from the header before any full decode (decompression bombs). */
export const MAX_SIDE = 8192;
export const MAX_PIXELS = 40_000_000;
