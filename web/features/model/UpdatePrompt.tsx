// The service worker's update flow (workbox-window): a new app or model version waits until the
// user accepts, and the prompt never interrupts an analysis in progress.
import { useEffect, useRef, useState } from 'react';
import { Workbox } from 'workbox-window';

export function useServiceWorkerUpdate(enabled: boolean = import.meta.env.PROD) {
  const wb = useRef<Workbox | null>(null);
  const [waiting, setWaiting] = useState(false);
  useEffect(() => {
    if (!enabled || !('serviceWorker' in navigator)) return;
    const w = new Workbox('/sw.js', { scope: '/' });
    w.addEventListener('waiting', () => setWaiting(true));
    w.addEventListener('controlling', (e) => {
      if (e.isUpdate) window.location.reload();
    });
    void w.register();
    wb.current = w;
  }, [enabled]);
  return { waiting, apply: () => wb.current?.messageSkipWaiting() };
}

export function UpdatePrompt({ waiting, busy, onUpdate }: { waiting: boolean; busy: boolean; onUpdate: () => void }) {
  if (!waiting) return null;
  return (
    <div className="update-prompt" role="alertdialog" aria-labelledby="update-title">
      <p id="update-title">A new version of BigBrain (it may bring a new model) is ready.</p>
      <button type="button" onClick={onUpdate} disabled={busy}>
        {busy ? 'Update after the analysis finishes' : 'Update now'}
      </button>
    </div>
  );
}
