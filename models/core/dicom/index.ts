// The DICOM reader, shared by the browser worker, the server and the CLI: parse → frames by transfer syntax →
// modality/VOI to 8-bit display values. See read.ts for the front door.
export { openDicom, renderFrame, dicomSummary, modalityRefusal, type DicomFrame, type DicomImageFile, type DicomSummary } from './read.ts';
export { DicomError, type DicomErrorCode } from './errors.ts';
export { isDicom } from './sniff.ts';
export type { PatientInfo, SliceMeta } from './parse.ts';
export { frameGeometry } from './parse.ts';
export type { Window } from './display.ts';
export { WASM_CODECS, codecAssetPath, type WasmCodec, type WasmSource } from './wasm-codecs.ts';
export { TRANSFER_SYNTAXES } from './transfer-syntax.ts';
export { loadCodec, wasmCodecFor } from './frames.ts';
export { isDicomdir, readDicomdir, MEDIA_STORAGE_DIRECTORY, type DicomdirRecord } from './dicomdir.ts';
export {
  buildResultSr, newUid, patientStudyOf, BASIC_TEXT_SR, RESEARCH_NOTE, SR_SERIES_DESCRIPTION, SR_MANUFACTURER,
  type ResultSr, type ResultSrInput, type SrEvidence, type SrFindings, type SrInstanceRef, type SrPatientStudy, type SrVerdict,
} from './result-sr.ts';
