-- POST /api/series: one row per series read on the server — its verdict only. No patient data, no file names, and
-- the Series Instance UID only as its SHA-256 (not enough to look it up; the PWA sends de-identified copies with fresh
-- UIDs each time, so its uploads of one series do not even share that hash).
create table series_results (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default date_trunc('milliseconds', now()),
  series_uid_sha256 text not null check (series_uid_sha256 ~ '^[0-9a-f]{64}$'),
  description text not null check (length(description) <= 64),
  slices integer not null check (slices > 0),
  counted integer not null check (counted >= 0 and counted <= slices),
  result text not null check (result in ('Tumor', 'No Tumor', 'Uncertain', 'Outside validated use')),
  tumor_probability double precision,
  label text,
  uncertain boolean not null,
  outside jsonb not null,
  model_name text not null,
  model_version text not null,
  ms double precision,
  -- A series with no slice counted has no score and no label.
  check ((result = 'Outside validated use') = (tumor_probability is null)),
  check ((result = 'Outside validated use') = (label is null))
);
create index series_results_user_created on series_results (user_id, created_at desc, id desc);
