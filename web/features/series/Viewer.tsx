// The series viewer, for a tablet: scroll through slices (wheel, swipe with the Scroll tool, arrow keys, a slider),
// the slice's own answer beside it; window/level by drag (mouse, pen or finger) with presets and reset; zoom and pan
// (pinch, or the Pan tool, or + / −); the evidence map over the slice with an opacity control and its colour scale.
// The window here is for the eyes only: each slice was analysed as it was read from its file.
import { useCallback, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { heatColour } from '../../../models/core/heatmap.ts';
import type { Box } from '../../../models/core/preprocess.ts';
import type { SliceView } from '../../lib/dicom-info.ts';
import { imageCanvas } from '../../lib/draw.ts';
import { cropSquare, heatRgba, PRESETS, windowInto, type DisplayWindow } from './viewer-render.ts';

export interface ViewerSlice {
  view: SliceView | null | undefined;
  /** The slice's answer, in words ("Tumor · P(tumour) 93 %"), or why it has none. */
  answer: string;
  tumorProbability: number | null;
  cam?: Float32Array;
  camSize?: number;
  crop?: Box;
  /** Position along the normal, mm. */
  position: number | null;
}

export interface ViewerProps {
  slices: ViewerSlice[];
  index: number;
  onIndex: (index: number) => void;
}

type Tool = 'window' | 'scroll' | 'pan';
const CANVAS = 512;
const ZOOM_MIN = 1, ZOOM_MAX = 8;
const clampZoom = (z: number) => Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, z));

export function Viewer({ slices, index, onIndex }: ViewerProps) {
  const n = slices.length;
  const slice = slices[index];
  const view = slice?.view ?? null;
  const [win, setWin] = useState<DisplayWindow | null>(null);
  const [zoom, setZoom] = useState(1);
  const [pan, setPan] = useState({ x: 0, y: 0 });
  const [tool, setTool] = useState<Tool>('window');
  const [overlay, setOverlay] = useState(true);
  const [opacity, setOpacity] = useState(70);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const stageRef = useRef<HTMLDivElement>(null);
  const noteId = useId();
  const shown = win ?? view?.window ?? null;

  const go = useCallback((i: number) => onIndex(Math.max(0, Math.min(n - 1, i))), [n, onIndex]);
  const reset = useCallback(() => {
    setWin(null);
    setZoom(1);
    setPan({ x: 0, y: 0 });
  }, []);

  // Draw: the slice through the window, then its evidence map over the crop the model saw.
  const heat = useMemo(() => (slice?.cam && slice.camSize ? heatRgba(slice.cam, slice.camSize, slice.tumorProbability) : null), [slice]);
  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    if (!view || !shown) return;
    const base = imageCanvas(view.width, view.height, (rgba) => windowInto(view, shown, rgba));
    if (!base) return;
    const fit = Math.min(canvas.width / view.width, canvas.height / view.height) * zoom;
    ctx.setTransform(fit, 0, 0, fit, canvas.width / 2 + pan.x - (view.width * fit) / 2, canvas.height / 2 + pan.y - (view.height * fit) / 2);
    ctx.imageSmoothingEnabled = zoom < 2;
    ctx.drawImage(base, 0, 0);
    if (overlay && heat && slice?.camSize && slice.crop) {
      const h = imageCanvas(slice.camSize, slice.camSize, (rgba) => rgba.set(heat));
      if (!h) return;
      const sq = cropSquare(slice.crop);
      ctx.globalAlpha = opacity / 100;
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(h, sq.x, sq.y, sq.side, sq.side);
      ctx.globalAlpha = 1;
    }
  }, [view, shown, zoom, pan, overlay, opacity, heat, slice]);

  const onIndexRef = useRef((step: number) => go(index + step));
  onIndexRef.current = (step: number) => go(index + step);
  // The wheel scrolls slices (ctrl / pinch-zoom gesture on a trackpad: zoom); not passive, so the page stays put.
  useEffect(() => {
    const stage = stageRef.current;
    if (!stage) return;
    let acc = 0;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      if (e.ctrlKey) {
        setZoom((z) => clampZoom(z * (e.deltaY < 0 ? 1.15 : 1 / 1.15)));
        return;
      }
      acc += e.deltaMode === 1 ? e.deltaY * 40 : e.deltaY;
      if (Math.abs(acc) >= 40 || e.deltaMode !== 0) {
        const step = Math.sign(acc);
        acc = 0;
        onIndexRef.current(step);
      }
    };
    stage.addEventListener('wheel', onWheel, { passive: false });
    return () => stage.removeEventListener('wheel', onWheel);
  }, []);

  // Pointers: one does the tool's job; two pinch (zoom about their midpoint) and pan, whatever the tool.
  const pointers = useRef(new Map<number, { x: number; y: number }>());
  const gesture = useRef<{ x: number; y: number; win: DisplayWindow | null; zoom: number; pan: { x: number; y: number }; dist: number; mid: { x: number; y: number }; scrolled: number } | null>(null);
  const scale = () => {
    const c = canvasRef.current;
    const r = c?.getBoundingClientRect();
    return r && r.width ? CANVAS / r.width : 1;
  };
  const begin = () => {
    const ps = [...pointers.current.values()];
    const mid = ps.length > 1 ? { x: (ps[0]!.x + ps[1]!.x) / 2, y: (ps[0]!.y + ps[1]!.y) / 2 } : ps[0]!;
    const dist = ps.length > 1 ? Math.hypot(ps[0]!.x - ps[1]!.x, ps[0]!.y - ps[1]!.y) : 0;
    gesture.current = { x: ps[0]!.x, y: ps[0]!.y, win: shown, zoom, pan, dist, mid, scrolled: 0 };
  };
  const onPointerDown = (e: PointerEvent<HTMLCanvasElement>) => {
    e.currentTarget.setPointerCapture?.(e.pointerId);
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
    begin();
  };
  const onPointerMove = (e: PointerEvent<HTMLCanvasElement>) => {
    if (!pointers.current.has(e.pointerId) || !gesture.current) return;
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
    const g = gesture.current;
    const ps = [...pointers.current.values()];
    const k = scale();
    if (ps.length > 1) {
      const dist = Math.hypot(ps[0]!.x - ps[1]!.x, ps[0]!.y - ps[1]!.y);
      const mid = { x: (ps[0]!.x + ps[1]!.x) / 2, y: (ps[0]!.y + ps[1]!.y) / 2 };
      setZoom(clampZoom(g.zoom * (g.dist ? dist / g.dist : 1)));
      setPan({ x: g.pan.x + (mid.x - g.mid.x) * k, y: g.pan.y + (mid.y - g.mid.y) * k });
      return;
    }
    const dx = e.clientX - g.x, dy = e.clientY - g.y;
    if (tool === 'pan') {
      setPan({ x: g.pan.x + dx * k, y: g.pan.y + dy * k });
    } else if (tool === 'scroll') {
      const steps = Math.trunc(dy / 24);
      if (steps !== g.scrolled) {
        go(index + steps - g.scrolled);
        g.scrolled = steps;
      }
    } else if (view && g.win) {
      // Right: wider window (less contrast); down: higher level (darker). Full drag across ≈ the slice's range.
      const per = Math.max(1e-3, view.max - view.min) / 400;
      setWin({ center: g.win.center + dy * k * per, width: Math.max(1, g.win.width + dx * k * per) });
    }
  };
  const onPointerUp = (e: PointerEvent<HTMLCanvasElement>) => {
    pointers.current.delete(e.pointerId);
    if (pointers.current.size) begin();
    else gesture.current = null;
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if ((e.target as HTMLElement).closest('input, select, textarea')) return; // the slider and sliders keep their keys
    const steps: Record<string, number> = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1, PageDown: 10, PageUp: -10 };
    if (e.key in steps) go(index + steps[e.key]!);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(n - 1);
    else if (e.key === '+' || e.key === '=') setZoom((z) => clampZoom(z * 1.25));
    else if (e.key === '-') setZoom((z) => clampZoom(z / 1.25));
    else if (e.key === '0' || e.key === 'r') reset();
    else return;
    e.preventDefault();
  };

  if (!slice) return null;
  const legend = `linear-gradient(to right, ${[0, 0.25, 0.5, 0.75, 1].map((t) => {
    const [r, g, b, a] = heatColour(t);
    return `rgba(${r}, ${g}, ${b}, ${((a / 255) * (opacity / 100)).toFixed(3)})`;
  }).join(', ')})`;
  return (
    <section className="series-viewer" aria-label="Slice viewer" role="group" tabIndex={0} onKeyDown={onKeyDown} aria-describedby={noteId}>
      <div className="viewer-main">
        <div className="viewer-stage" ref={stageRef}>
          <canvas
            ref={canvasRef}
            width={CANVAS}
            height={CANVAS}
            className="viewer-canvas"
            role="img"
            aria-label={`Slice ${index + 1} of ${n}${overlay && heat ? ', with the evidence map' : ''}`}
            data-window={shown ? `${Math.round(shown.center)}/${Math.round(shown.width)}` : ''}
            data-zoom={zoom.toFixed(2)}
            data-slice={index}
            style={{ touchAction: 'none' }}
            onPointerDown={onPointerDown}
            onPointerMove={onPointerMove}
            onPointerUp={onPointerUp}
            onPointerCancel={onPointerUp}
          />
        </div>
        <aside className="viewer-side" aria-live="polite">
          <p className="viewer-position">
            <strong>Slice {index + 1} of {n}</strong>
            {slice.position !== null ? ` · ${slice.position.toFixed(1)} mm` : ''}
          </p>
          <p className="viewer-answer" data-testid="slice-answer">{slice.answer}</p>
          <p className="viewer-window">
            Window: {shown ? `centre ${Math.round(shown.center)}, width ${Math.round(shown.width)}` : '—'}{win ? ' (yours)' : ' (as read)'} · zoom {zoom.toFixed(1)}×
          </p>
        </aside>
      </div>
      <label className="viewer-slider">
        <span>Slice</span>
        <input type="range" min={1} max={n} step={1} value={index + 1} onChange={(e) => go(Number(e.target.value) - 1)} aria-label="Slice" aria-valuetext={`Slice ${index + 1} of ${n}`} />
      </label>
      <div className="viewer-tools" role="toolbar" aria-label="Viewer tools">
        <button type="button" onClick={() => go(index - 1)} disabled={index === 0} aria-label="Previous slice">◀</button>
        <button type="button" onClick={() => go(index + 1)} disabled={index === n - 1} aria-label="Next slice">▶</button>
        <fieldset className="viewer-tool">
          <legend>Drag to</legend>
          {(['window', 'scroll', 'pan'] as const).map((t) => (
            <label key={t}>
              <input type="radio" name={`${noteId}-tool`} checked={tool === t} onChange={() => setTool(t)} /> {t === 'window' ? 'Window' : t === 'scroll' ? 'Scroll' : 'Pan'}
            </label>
          ))}
        </fieldset>
        <button type="button" onClick={() => setZoom((z) => clampZoom(z * 1.25))} aria-label="Zoom in">+</button>
        <button type="button" onClick={() => setZoom((z) => clampZoom(z / 1.25))} aria-label="Zoom out">−</button>
        <button type="button" onClick={reset}>Reset</button>
      </div>
      <div className="viewer-presets" role="group" aria-label="Window presets">
        {PRESETS.map((p) => (
          <button type="button" key={p.name} disabled={!view} onClick={() => view && setWin(p.name === 'As read' ? null : p.of(view))}>{p.name}</button>
        ))}
      </div>
      <div className="viewer-overlay">
        <label>
          <input type="checkbox" checked={overlay} onChange={(e) => setOverlay(e.target.checked)} /> Heat map over the slice
        </label>
        <label>
          Opacity <input type="range" min={0} max={100} value={opacity} onChange={(e) => setOpacity(Number(e.target.value))} aria-label="Heat map opacity" />
        </label>
        <figure className="heat-legend" aria-label="Heat map colour scale">
          <div className="heat-legend-bar" style={{ background: legend }} />
          <figcaption><span>0</span><span>evidence × P(tumour)</span><span>1</span></figcaption>
        </figure>
      </div>
      <p id={noteId} className="viewer-note">
        The display window changes only what you see here: each slice was analysed as read from its file (the file’s own
        window, or its full range), whatever the window, zoom or overlay you choose. Arrow keys, the wheel or the slider
        change the slice; drag to window (or scroll, or pan); pinch or + / − to zoom.
      </p>
    </section>
  );
}
