import { PrepareDecoders } from '../features/dicom/index.ts';
import type { Settings } from '../lib/settings.ts';

export interface SettingsPanelProps {
  settings: Settings;
  onChange: (p: Partial<Settings>) => void;
  /** Loads the DICOM reader and codecs in the inference worker (for "Prepare DICOM decoders for offline use"). */
  prepareDicom?: () => Promise<void>;
}

export function SettingsPanel({ settings, onChange, prepareDicom }: SettingsPanelProps) {
  return (
    <section className="panel settings" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <label>
        <input type="checkbox" checked={settings.autoServer} onChange={(e) => onChange({ autoServer: e.target.checked })} /> Send an image to the
        server automatically when this device cannot analyse it
      </label>
      <label>
        <input type="checkbox" checked={settings.thumbnails} onChange={(e) => onChange({ thumbnails: e.target.checked })} /> Keep thumbnails in
        the history (scans can show patient names)
      </label>
      {prepareDicom && <PrepareDecoders prepareInWorker={prepareDicom} />}
    </section>
  );
}
