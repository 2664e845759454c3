-- An image refused as "Not a brain MRI" gets no diagnosis: no label, no class probabilities, no P(tumour).
-- Rows stored before this rule lose the numbers they carried, and the rule holds for every row from now on.
alter table detections alter column label drop not null;
alter table detections alter column probabilities drop not null;
alter table detections alter column tumor_probability drop not null;
update detections set label = null, probabilities = null, tumor_probability = null where result = 'Not a brain MRI';
alter table detections add constraint detections_refusal_no_diagnosis check (
  (result = 'Not a brain MRI') = (label is null)
  and (label is null) = (probabilities is null)
  and (label is null) = (tumor_probability is null)
);
