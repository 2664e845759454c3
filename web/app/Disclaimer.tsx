export function Disclaimer() {
  return (
    <p className="disclaimer" role="note">
      <strong>Research and triage support only — not a medical device.</strong> BigBrain does not diagnose. Every image must be read by a qualified clinician.
    </p>
  );
}
