-- /api/dicomweb audit: every WADO-RS retrieve of pixel data, not only a whole series — a study, one instance, or frames
-- (the gateway forwards all four). Metadata and searches stay unaudited (headers only, no pixel data).
alter table dicomweb_audit drop constraint dicomweb_audit_action_check;
alter table dicomweb_audit add constraint dicomweb_audit_action_check check (
  action in ('retrieve_study', 'retrieve_series', 'retrieve_instance', 'retrieve_frames', 'store')
);
