// The DICOMweb audit log (migrations 006, 007): every WADO-RS retrieve of pixel data — a study, a series, an instance or
// frames — and every STOW, by whom and when, the Study Instance UID only as its SHA-256, the model version for a STOW.
// No patient data, no images. Searches (QIDO-RS) and metadata (headers, no pixel data) are not written.
import { createHash } from 'node:crypto';
import type { Queryable } from '../db/types.ts';

import type { DicomwebAction } from './paths.ts';

export type AuditAction = 'retrieve_study' | 'retrieve_series' | 'retrieve_instance' | 'retrieve_frames' | 'store';

const AUDITED: ReadonlySet<DicomwebAction> = new Set<AuditAction>(['retrieve_study', 'retrieve_series', 'retrieve_instance', 'retrieve_frames', 'store']);

/** Whether a forwarded action is written to the audit log (pixel data retrieved, or something stored). */
export const isAudited = (action: DicomwebAction): action is AuditAction => AUDITED.has(action);

export const studyUidHash = (uid: string) => createHash('sha256').update(uid).digest('hex');

export async function writeAudit(db: Queryable, userId: string, action: AuditAction, studyUid: string | undefined, modelVersion: string | null): Promise<void> {
  await db.query(
    'insert into dicomweb_audit (user_id, action, study_uid_sha256, model_version) values ($1::uuid, $2, $3, $4)',
    [userId, action, studyUid === undefined ? null : studyUidHash(studyUid), action === 'store' ? modelVersion : null],
  );
}
