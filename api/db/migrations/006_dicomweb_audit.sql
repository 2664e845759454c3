-- /api/dicomweb: who pulled a series from the PACS (WADO-RS) and who sent something into it (STOW-RS), and when.
-- The Study Instance UID only as its SHA-256 (null when a STOW names no study in its path); no patient data, no images.
create table dicomweb_audit (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default date_trunc('milliseconds', now()),
  action text not null check (action in ('retrieve_series', 'store')),
  study_uid_sha256 text check (study_uid_sha256 ~ '^[0-9a-f]{64}$'),
  model_version text,
  check ((action = 'store') = (model_version is not null))
);
create index dicomweb_audit_user_created on dicomweb_audit (user_id, created_at desc);
