// The lines npm run classify prints for one file (one line, or one a frame for a multi-frame DICOM), whether the file
// came from disk or from a PACS over DICOMweb (classify-dicomweb.ts): the same code, so the same lines.
import { DicomError } from '../core/dicom/index.ts';
import type { Classifier } from '../node/classifier.ts';
import { detectInline } from '../node/detect-inline.ts';

export interface FileLines {
  lines: Array<Record<string, unknown>>;
  /** The file could not be read (an error line); a refusal (not an MRI) is an answer, not a failure. */
  failed: boolean;
  /**
   * 'no image': a DICOM file without pixel data (an SR, a KO, a PR, a DICOMDIR …). Still an error line and a failure
   * for a file named on the command line; over DICOMweb (classify-dicomweb.ts) skipped and counted, as --series does.
   */
  skipped?: 'no image';
}

export async function fileLines(classifier: Classifier, file: string, bytes: Uint8Array, options: { heatmap: boolean; overlay: boolean }): Promise<FileLines> {
  const started = performance.now();
  try {
    // A refused image ("Not a brain MRI") prints label, probabilities and tumorProbability as null, and no heat map;
    // so does a DICOM slice outside the validated use ("Outside validated use", with `outside`: why).
    // A DICOM file (found by content, whatever its name) adds its dicom block; a multi-frame one prints a line a frame.
    const answer = await detectInline(classifier, bytes, options);
    const ms = Math.round((performance.now() - started) * 10) / 10;
    return {
      failed: false,
      lines: (answer.frames ?? [answer]).map((a) => {
        const { result, label, probabilities, tumorProbability, uncertain, model, heatmap, overlay } = a;
        // A DICOM slice outside the validated use: result "Outside validated use", no diagnosis, and why (`outside`).
        const outside = a.result === 'Outside validated use' ? a.outside : undefined;
        const dicom = answer.dicom && { ...answer.dicom, ...('window' in a ? { window: a.window } : {}) };
        return { file, frame: answer.frames ? a.frame : undefined, result, outside, label, probabilities, tumorProbability, uncertain, model, ms, heatmap, overlay, dicom };
      }),
    };
  } catch (e) {
    if (e instanceof DicomError && e.code === 'not_mri') {
      // Another modality (CT, PET …): an answer, not a failure; no diagnosis.
      return { failed: false, lines: [{ file, result: 'Not a brain MRI', label: null, probabilities: null, tumorProbability: null, reason: e.message, code: e.code }] };
    }
    // code: the same stable code the server answers with (too_small, corrupt_image, unsupported_type, …).
    const skipped = e instanceof DicomError && e.code === 'no_image' ? { skipped: 'no image' as const } : {};
    return { failed: true, ...skipped, lines: [{ file, error: (e as Error).message, code: (e as { code?: string }).code }] };
  }
}
