-- Fixed-window rate-limit counters shared by every server instance (failed logins).
-- key is the SHA-256 of what is counted (e.g. an email and an address), so attempted emails are not stored.
create table rate_limits (
  key text primary key,
  count integer not null,
  reset_at timestamptz not null
);
create index rate_limits_reset_at on rate_limits (reset_at);
