// Choose / drop / paste / photograph images, analyse them one after another on the device,
// and offer the server per image — never sending an image without consent. A DICOM file (found by its content,
// whatever its name) is read on the device; a multi-frame one becomes one row per frame. What the server gets for a
// DICOM is the decoded frame as a PNG, never the file (no name, ID, birth date, institution or UID leaves).
import { useMutation } from '@tanstack/react-query';
import { useCallback, useEffect, useId, useRef, useState, type DragEvent } from 'react';
import { isDicomBlob, type FrameRef } from '../../lib/dicom-info.ts';
import { isFileError } from '../../lib/file-errors.ts';
import { newId, sha256Hex } from '../../lib/id.ts';
import { ENGINE_STOPPED, type DicomFrameForServer } from '../../lib/inference.ts';
import type { AnalysisResult } from '../../lib/types.ts';
import { describe, ResultCard, tumourText } from './ResultCard.tsx';

type Status = 'queued' | 'running' | 'done' | 'error' | 'needs-server';

export interface Item {
  id: string;
  file: File;
  fromCamera: boolean;
  status: Status;
  result?: AnalysisResult;
  error?: string;
  /** A frame of a DICOM file: its number (1-based), how many the file holds, and the id of the file's first row. */
  frame?: number;
  frames?: number;
  key?: string;
}

/** What the worker needs to find the frame again (the first row's id keys the parsed file). */
const refOf = (x: Item): FrameRef => ({ frame: x.frame ?? 1, key: x.key ?? x.id });
/** The row's name: the file's, with the frame for a multi-frame DICOM. */
export const itemLabel = (x: Pick<Item, 'file' | 'frame' | 'frames'>): string =>
  x.frames && x.frames > 1 ? `${x.file.name} · frame ${x.frame ?? 1}/${x.frames}` : x.file.name;

export interface SavedResult {
  id: string;
  fileName: string;
  result: AnalysisResult;
  imageSha256?: string;
  thumbnail?: string;
}

export interface AnalysePanelProps {
  /** Analyses on the device (`ref`: which frame, for a DICOM); null while the model loads or when the device cannot run it. */
  analyseOnDevice: ((blob: Blob, ref?: FrameRef) => Promise<AnalysisResult>) | null;
  /** Decodes one DICOM frame on the device to the PNG "Analyse on server" sends (works without the model). */
  dicomFrame?: ((blob: Blob, ref: FrameRef) => Promise<DicomFrameForServer>) | null;
  /** Why the device cannot analyse (null when it can, or is still getting ready). */
  deviceUnavailable: string | null;
  server: { available: boolean; reason: string | null };
  /** The user's setting: send to the server automatically when the device cannot analyse. */
  autoServer: boolean;
  thumbnails: boolean;
  analyseOnServer: (blob: Blob, name: string) => Promise<AnalysisResult>;
  onResult: (r: SavedResult) => void | Promise<void>;
  onBusyChange?: (busy: boolean) => void;
  /** Opens the one-page report for the DICOM slices analysed so far (their results in row order). */
  onReport?: (slices: Array<{ result: AnalysisResult }>) => void;
}

function thumbnailOf(r: AnalysisResult): string | undefined {
  if (!r.pixels) return undefined;
  const size = Math.round(Math.sqrt(r.pixels.length));
  const c = document.createElement('canvas');
  c.width = c.height = size;
  const ctx = c.getContext('2d');
  if (!ctx) return undefined;
  const img = ctx.createImageData(size, size);
  r.pixels.forEach((v, i) => img.data.set([v, v, v, 255], 4 * i));
  ctx.putImageData(img, 0, 0);
  return c.toDataURL('image/png');
}

export function AnalysePanel(props: AnalysePanelProps) {
  const { analyseOnDevice, dicomFrame, deviceUnavailable, server, autoServer, thumbnails, analyseOnServer, onResult, onBusyChange, onReport } = props;
  const [items, setItems] = useState<Item[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const [dragging, setDragging] = useState(false);
  const running = useRef(false);
  const inputId = useId();
  const cameraId = useId();

  const patch = (id: string, p: Partial<Item>) => setItems((xs) => xs.map((x) => (x.id === id ? { ...x, ...p } : x)));

  const add = useCallback((files: Iterable<File>, fromCamera = false) => {
    const fresh = [...files].map((file) => ({ id: newId(), file, fromCamera, status: 'queued' as const }));
    if (!fresh.length) return;
    setItems((xs) => [...xs, ...fresh]);
    setSelected(fresh[fresh.length - 1]!.id);
  }, []);

  /** The first frame of a multi-frame DICOM told how many there are: one queued row for each of the others. */
  const expandFrames = useCallback((item: Item, frames: number) => {
    if (item.frame !== undefined || frames < 2) return;
    setItems((xs) => {
      const at = xs.findIndex((x) => x.id === item.id);
      if (at < 0) return xs;
      const rest = Array.from({ length: frames - 1 }, (_, i) => ({
        id: newId(), file: item.file, fromCamera: item.fromCamera, status: 'queued' as const, frame: i + 2, frames, key: item.id,
      }));
      return [...xs.slice(0, at), { ...xs[at]!, frame: 1, frames, key: item.id }, ...rest, ...xs.slice(at + 1)];
    });
  }, []);

  const finish = useCallback(
    async (item: Item, result: AnalysisResult) => {
      patch(item.id, { status: 'done', result, error: undefined });
      const d = result.dicom;
      setAnnouncement(describe(itemLabel(d ? { file: item.file, frame: d.frame, frames: d.frames } : item), result));
      let imageSha256: string | undefined = d?.pixelsSha256;
      try {
        // A DICOM frame's hash is its rendered pixels' (the worker's); the file's would tie every frame to one file.
        if (!d) imageSha256 = await sha256Hex(new Uint8Array(await item.file.arrayBuffer()));
      } catch {
        /* the hash only helps the server spot duplicates */
      }
      await onResult({ id: item.id, fileName: item.file.name, result, imageSha256, thumbnail: thumbnails ? thumbnailOf(result) : undefined });
    },
    [onResult, thumbnails],
  );

  const serverRun = useMutation({
    mutationFn: ({ blob, name }: { blob: Blob; name: string }) => analyseOnServer(blob, name),
  });
  const { mutateAsync: detectOnServer } = serverRun;

  /** A DICOM frame goes to the server as its decoded PNG, named by its frame only; a refused file is not sent. */
  const dicomOnServer = useCallback(
    async (item: Item): Promise<AnalysisResult> => {
      if (!dicomFrame) throw new Error('A DICOM file is decoded on this device before anything is sent, and this device cannot decode it now.');
      const f = await dicomFrame(item.file, refOf(item));
      expandFrames(item, f.info.frames);
      if (!f.png) return f.refusal!;
      return { ...(await detectOnServer({ blob: f.png, name: `frame-${f.info.frame}.png` })), dicom: f.info };
    },
    [dicomFrame, detectOnServer, expandFrames],
  );

  const runOnServer = useCallback(
    async (item: Item) => {
      patch(item.id, { status: 'running', error: undefined });
      try {
        const dicom = await isDicomBlob(item.file);
        await finish(item, dicom ? await dicomOnServer(item) : await detectOnServer({ blob: item.file, name: item.file.name }));
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        patch(item.id, { status: 'error', error: `Server: ${message}` });
        setAnnouncement(`${itemLabel(item)}: error — ${message}`);
      }
    },
    [detectOnServer, dicomOnServer, finish],
  );

  // The queue: one image at a time; a bad file shows its error in its row and the rest go on.
  useEffect(() => {
    if (running.current) return;
    const next = items.find((x) => x.status === 'queued');
    if (!next) return;
    const offerServer = (why: string) => {
      if (autoServer && server.available) return runOnServer(next);
      patch(next.id, { status: 'needs-server', error: why });
      setAnnouncement(`${itemLabel(next)}: not analysed — ${why}`);
    };
    if (!analyseOnDevice) {
      if (deviceUnavailable) void offerServer(`On-device analysis is unavailable: ${deviceUnavailable}`);
      return; // otherwise wait for the model
    }
    running.current = true;
    patch(next.id, { status: 'running' });
    void (async () => {
      let result: AnalysisResult | null = null;
      try {
        result = await analyseOnDevice(next.file, refOf(next));
        if (result.dicom) expandFrames(next, result.dicom.frames);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const code = (err as { code?: string }).code ?? '';
        const badFile = isFileError(code);
        if (code === ENGINE_STOPPED) {
          patch(next.id, { status: 'queued' }); // the engine is restarting: this image runs on the new one
        } else if (badFile) {
          patch(next.id, { status: 'error', error: message });
          setAnnouncement(`${itemLabel(next)}: error — ${message}`);
        } else {
          await offerServer(`The on-device run failed: ${message}`);
        }
      }
      try {
        if (result) await finish(next, result);
      } catch (err) {
        console.error('Saving the result failed', err);
      } finally {
        running.current = false;
        setItems((xs) => [...xs]); // wake the queue
      }
    })();
  }, [items, analyseOnDevice, deviceUnavailable, autoServer, server.available, finish, runOnServer, expandFrames]);

  const total = items.length;
  const finished = items.filter((x) => x.status === 'done' || x.status === 'error' || x.status === 'needs-server').length;
  const busy = items.some((x) => x.status === 'running' || x.status === 'queued');
  useEffect(() => onBusyChange?.(busy), [busy, onBusyChange]);

  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      // Any pasted file: the worker sniffs it (a DICOM has no image/ type, often no type at all).
      const files = [...(e.clipboardData?.files ?? [])];
      if (files.length) add(files);
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, [add]);

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    add(e.dataTransfer.files);
  };
  const current = items.find((x) => x.id === selected);
  const dicomDone = items.filter((x) => x.status === 'done' && x.result?.dicom);

  return (
    <section className="panel analyse" aria-labelledby="analyse-title">
      <h2 id="analyse-title">Analyse</h2>
      <div
        className={`dropzone${dragging ? ' dragging' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <label htmlFor={inputId}>MRI image</label>
        <input
          id={inputId}
          type="file"
          // DICOM too. A scanner's file often has no extension: desktop pickers still offer "All files", and on Android
          // such a file is application/octet-stream, listed so it can be picked. The worker sniffs the content.
          accept="image/jpeg,image/png,image/webp,.dcm,application/dicom,application/octet-stream"
          multiple
          onChange={(e) => {
            add(e.target.files ?? []);
            e.target.value = '';
          }}
        />
        <label htmlFor={cameraId} className="button">Take a photo</label>
        <input
          id={cameraId}
          className="visually-hidden"
          type="file"
          accept="image/*"
          capture="environment"
          onChange={(e) => {
            add(e.target.files ?? [], true);
            e.target.value = '';
          }}
        />
        <p className="muted">…or drop images or DICOM files here, or paste one. Images are analysed on this device and never uploaded unless you choose “Analyse on server”.</p>
      </div>

      <p role="status" aria-live="polite" className="announcement">{announcement}</p>

      {total > 0 && (
        <>
          <label className="batch-progress">
            Analysed {finished} of {total}
            <progress max={total} value={finished} />
          </label>
          <table className="results">
            <caption className="visually-hidden">Results of this session</caption>
            <thead>
              <tr>
                <th scope="col">Image</th>
                <th scope="col">Result</th>
                <th scope="col">P(tumour)</th>
                <th scope="col">Where</th>
                <th scope="col"><span className="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {items.map((x) => (
                <tr key={x.id} aria-selected={x.id === selected} data-status={x.status}>
                  <td>
                    <button type="button" className="link" onClick={() => setSelected(x.id)}>{itemLabel(x)}</button>
                  </td>
                  <td>
                    {x.status === 'done' && x.result ? `${x.result.result}${x.result.uncertain ? ' (uncertain)' : ''}` : null}
                    {x.status === 'queued' && (analyseOnDevice ? 'Waiting…' : 'Waiting for the model…')}
                    {x.status === 'running' && 'Analysing…'}
                    {(x.status === 'error' || x.status === 'needs-server') && <span className="error">{x.error}</span>}
                  </td>
                  <td>{x.result ? tumourText(x.result) : ''}</td>
                  <td>{x.result?.backend ?? ''}</td>
                  <td>
                    {/* Outside validated use: the server would get a bare PNG, without the metadata that put the slice outside. */}
                    {x.status !== 'running' && x.status !== 'queued' && x.result?.backend !== 'Server' && x.result?.result !== 'Outside validated use' && (
                      <button
                        type="button"
                        disabled={!server.available}
                        title={server.reason ?? 'Uploads this image to the BigBrain server'}
                        onClick={() => void runOnServer(x)}
                      >
                        Analyse on server
                      </button>
                    )}
                    {!server.available && (x.status === 'needs-server' || x.status === 'error') && <span className="muted"> {server.reason}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {onReport && !busy && dicomDone.length > 0 && (
            <button type="button" onClick={() => onReport(dicomDone.map((x) => ({ result: x.result! })))}>
              Report ({dicomDone.length} DICOM slice{dicomDone.length === 1 ? '' : 's'})
            </button>
          )}
        </>
      )}
      {current?.result && <ResultCard name={itemLabel(current)} result={current.result} fromCamera={current.fromCamera} />}
    </section>
  );
}
