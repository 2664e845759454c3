import { PrepareDecoders } from '../features/dicom/index.ts';
import type { Settings, Theme } from '../lib/settings.ts';

const THEME_NAMES: Record<Theme, string> = { system: 'As the device (light or dark)', light: 'Light', dark: 'Dark (reading room)' };

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
      <fieldset className="theme-choice">
        <legend>Display</legend>
        {(Object.keys(THEME_NAMES) as Theme[]).map((t) => (
          <label key={t}>
            <input type="radio" name="theme" value={t} checked={settings.theme === t} onChange={() => onChange({ theme: t })} /> {THEME_NAMES[t]}
          </label>
        ))}
      </fieldset>
      {prepareDicom && <PrepareDecoders prepareInWorker={prepareDicom} />}
    </section>
  );
}
