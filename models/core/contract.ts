// The model contract: the one place that says what the network takes and gives.
// The ONNX file, the model card and this module are checked against each other by tests.

export const LABELS = ['glioma', 'meningioma', 'pituitary', 'notumor'] as const;
export type Label = (typeof LABELS)[number];

export const INPUT_SIZE = 96;
export const INPUT_CHANNELS = 1;

export const IO_NAMES = {
  input: 'image',
  probabilities: 'probabilities',
  mri: 'mri_probability',
  cam: 'cam',
} as const;

/**
 * "Outside validated use" is only for DICOM slices, whose metadata say what they are (models/core/scope.ts): a slice
 * outside the model's validated scope gets no diagnosis. JPEG/PNG uploads carry no metadata and keep the first three.
 */
export type ResultWord = 'Tumor' | 'No Tumor' | 'Not a brain MRI' | 'Outside validated use';

export interface ModelInfo {
  name: string;
  version: string;
}
