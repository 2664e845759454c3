/** Largest image accepted, checked from the header before any full decode (decompression bombs). */
export const MAX_SIDE = 8192;
export const MAX_PIXELS = 40_000_000;
/**
 * Smallest short side accepted: below it an image is refused, never diagnosed. 48-px desktop icons passed the
 * MRI check and were called Tumor at 0.99, while MRIs downscaled to 64 px are read as well as full-size ones
 * (models/MODEL_CARD.md, "Image size floor").
 */
export const MIN_SIDE = 64;
/**
 * Most pixels in one DICOM frame: a frame is rendered through several per-pixel arrays, so a small compressed file of a
 * huge frame would cost gigabytes. MR frames are at most 1024²; 4096² leaves room for secondary captures.
 */
export const MAX_DICOM_FRAME_PIXELS = 4096 * 4096;
/** Most pixels in one DICOM file, all frames together (a 200-slice 512² series in one file is 52 M). */
export const MAX_DICOM_VOXELS = 100_000_000;
