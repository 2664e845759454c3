import type { Settings } from '../lib/settings.ts';

export function SettingsPanel({ settings, onChange }: { settings: Settings; onChange: (p: Partial<Settings>) => void }) {
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
    </section>
  );
}
