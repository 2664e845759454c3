-- A DICOM slice outside the model's validated scope is answered "Outside validated use": no diagnosis either, so it
-- is stored like a refusal, without label, class probabilities or P(tumour).
alter table detections drop constraint detections_refusal_no_diagnosis;
alter table detections add constraint detections_refusal_no_diagnosis check (
  (result in ('Not a brain MRI', 'Outside validated use')) = (label is null)
  and (label is null) = (probabilities is null)
  and (label is null) = (tumor_probability is null)
);
