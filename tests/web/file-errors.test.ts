// The codes the analyse panel treats as the file's own problem (shown in its row, never offered to the server) come
// from the lists each module throws from, not from a copy: the set is exactly the twelve the panel always had, and
// it follows those lists.
import { describe, expect, it } from 'vitest';
import { DICOM_ERROR_CODES, DicomError } from '../../models/core/dicom/errors.ts';
import { DECODE_ERROR_CODES, decodeErrors } from '../../models/core/errors.ts';
import { PREPROCESS_ERROR_CODES, validatePixels } from '../../models/core/preprocess.ts';
import { CODEC_ERROR_CODES, codecUnavailable } from '../../web/lib/codec-assets.ts';
import { FILE_ERROR_CODES, isFileError } from '../../web/lib/file-errors.ts';
import { ENGINE_STOPPED } from '../../web/lib/inference.ts';

describe('file error codes, one source', () => {
  it('are the twelve codes of a bad file', () => {
    expect([...FILE_ERROR_CODES].sort()).toEqual([
      'bad_buffer', 'bad_dimensions', 'codec_integrity', 'codec_unavailable', 'corrupt_image', 'empty_file',
      'no_image', 'too_large', 'too_small', 'unsupported_image', 'unsupported_transfer_syntax', 'unsupported_type',
    ]);
  });

  it('hold every code the decoder, preprocessing, DICOM reader (but not_mri) and codec loader declare', () => {
    for (const c of [...DECODE_ERROR_CODES, ...PREPROCESS_ERROR_CODES, ...CODEC_ERROR_CODES]) expect(isFileError(c), c).toBe(true);
    for (const c of DICOM_ERROR_CODES) expect(isFileError(c), c).toBe(c !== 'not_mri');
  });

  it('match the errors really thrown; an engine or worker failure is not the file\'s fault', () => {
    expect(isFileError(decodeErrors.empty().code)).toBe(true);
    expect(isFileError(new DicomError('no_image', '').code)).toBe(true);
    expect(isFileError(codecUnavailable('charls', 'offline').code)).toBe(true);
    let thrown = '';
    try {
      validatePixels({ data: new Uint8Array(3), width: 2, height: 2, channels: 1 });
    } catch (e) {
      thrown = (e as { code: string }).code;
    }
    expect(isFileError(thrown)).toBe(true);
    for (const c of ['not_mri', ENGINE_STOPPED, 'worker_crashed', 'analysis_failed', 'not_loaded', 'load_failed', '']) expect(isFileError(c), c).toBe(false);
  });
});
