// The DICOMweb audit log (migration 006): every series retrieved and every STOW, by whom and when, the Study Instance
// UID only as its SHA-256, the model version for a STOW. No patient data, no images.
import { createHash } from 'node:crypto';
import type { Queryable } from '../db/types.ts';

export type AuditAction = 'retrieve_series' | 'store';

export const studyUidHash = (uid: string) => createHash('sha256').update(uid).digest('hex');

export async function writeAudit(db: Queryable, userId: string, action: AuditAction, studyUid: string | undefined, modelVersion: string | null): Promise<void> {
  await db.query(
    'insert into dicomweb_audit (user_id, action, study_uid_sha256, model_version) values ($1::uuid, $2, $3, $4)',
    [userId, action, studyUid === undefined ? null : studyUidHash(studyUid), action === 'store' ? modelVersion : null],
  );
}
