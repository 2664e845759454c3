-- Accounts, sessions (only the SHA-256 of each token is stored) and detection results (never images).
create table users (
  id uuid primary key default gen_random_uuid(),
  email text not null unique,
  password_hash text not null,
  created_at timestamptz not null default now()
);

create table sessions (
  id text primary key,
  user_id uuid not null references users (id) on delete cascade,
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);
create index sessions_user_id on sessions (user_id);

create table detections (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  client_id text,
  source text not null check (source in ('server', 'device')),
  created_at timestamptz not null default date_trunc('milliseconds', now()),
  received_at timestamptz not null default now(),
  model_name text not null,
  model_version text not null,
  result text not null,
  label text not null,
  probabilities jsonb not null,
  tumor_probability double precision not null,
  uncertain boolean not null,
  image_sha256 text check (image_sha256 ~ '^[0-9a-f]{64}$'),
  ms double precision,
  unique (user_id, client_id)
);
create index detections_user_newest on detections (user_id, created_at desc, id desc);
