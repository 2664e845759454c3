// Errors with a stable machine code, shared by the browser and the server so both say the same thing.
import { MAX_PIXELS, MAX_SIDE, MIN_SIDE } from './limits.ts';

export class CodedError<C extends string = string> extends Error {
  readonly code: C;
  constructor(code: C, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

export const DECODE_ERROR_CODES = ['unsupported_type', 'too_large', 'corrupt_image', 'empty_file'] as const;
export type DecodeErrorCode = (typeof DECODE_ERROR_CODES)[number];
export class DecodeError extends CodedError<DecodeErrorCode> {}

export const isTooLarge = (width: number, height: number) => width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS;
export const tooLargeMessage = (width: number, height: number) =>
  `Image is ${width}×${height}; the limit is ${MAX_SIDE} px a side and ${MAX_PIXELS / 1e6} megapixels.`;

export const isTooSmall = (width: number, height: number) => Math.min(width, height) < MIN_SIDE;
export const tooSmallMessage = (width: number, height: number) =>
  `Image is ${width}×${height}: too small to hold a readable MRI slice (the shorter side must be at least ${MIN_SIDE} px), so no diagnosis is given.`;

export const decodeErrors = {
  empty: () => new DecodeError('empty_file', 'The file is empty.'),
  unsupported: () => new DecodeError('unsupported_type', 'Not a JPEG, PNG, WebP or DICOM image.'),
  corrupt: (type: string) => new DecodeError('corrupt_image', `The ${type.toUpperCase()} file is corrupt or truncated.`),
  tooLarge: (width: number, height: number) => new DecodeError('too_large', tooLargeMessage(width, height)),
};
