"""Trains the BigBrain classifier from the arrays written by `npm run dataset`.

  /usr/bin/python3 models/train/train.py --data .cache/dataset --out .cache/run [--epochs 160] [--smoke]
  /usr/bin/python3 models/train/train.py --data .cache/dataset --out .cache/run --from-weights W.pt
      (no training: calibrate and export given weights, e.g. ones trained on a GPU with --no-export)
  /usr/bin/python3 models/train/train.py --init-weights models/weights/bigbrain-1.2.0.pt --extra .cache/dicom-normal \
      --hold-out philips --epochs 3 --lr 5e-4 --select last
      (fine-tune from given weights with extra no-tumour crops, e.g. the healthy real-scanner DICOM slices of
      models/scripts/dicom-dataset.ts; --hold-out leaves one person's slices out of training, for
      leave-one-person-out figures: they are scored each epoch as heldout_specificity)

The defaults are the recipe that produced the shipped model (1.2.0: seed 3, 160 epochs,
≈ 5 min on one H200 GPU; ≈ 2–3 h on 2 CPU cores, where one epoch takes ≈ 45–80 s).

Writes <out>/model.onnx (temperatures inside the graph), <out>/calibration.json
(temperatures, thresholds, validation figures), <out>/check-*.f32 (val tensors and
PyTorch outputs, to compare the ONNX file against in onnxruntime-node), <out>/weights.pt
and <out>/log.jsonl. Runs on CUDA when there is one (augmentation on the same device).
"""
import argparse
import copy
import gzip
import io
import json
import lzma
import math
import os
import random
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from net import BigBrainNet, parse_width

TYPES = ['glioma', 'meningioma', 'pituitary']


def load(data_dir):
    """crops.npy.gz (npm run dataset) or crops.npy.xz (a packed train+val copy)."""
    gz, xz = (os.path.join(data_dir, f'crops.npy.{e}') for e in ('gz', 'xz'))
    if os.path.exists(gz):
        with gzip.open(gz, 'rb') as f:
            crops = np.load(io.BytesIO(f.read()))
    else:
        with open(xz, 'rb') as f:
            crops = np.load(io.BytesIO(lzma.decompress(f.read())))
    with open(os.path.join(data_dir, 'meta.jsonl')) as f:
        meta = [json.loads(line) for line in f if line.strip()]
    assert len(meta) == len(crops)
    return crops, meta


def load_extra(crops, meta, extra_dir, hold_out):
    """Appends extra crops (source normal-dicom: no tumour, an MRI, person-tagged). The held-out person's rows get
    split 'heldout': in neither training nor validation."""
    x, m = load(extra_dir)
    for r in m:
        if hold_out and r.get('person') == hold_out:
            r['split'] = 'heldout'
    return np.concatenate([crops, x]), meta + m


def targets(meta):
    mri = np.array([m['source'] != 'nonmri' for m in meta], dtype=np.float32)
    tumor = np.array([-1 if m['source'] == 'nonmri' else (0 if m['label'] == 'notumor' else 1) for m in meta], dtype=np.float32)
    typ = np.array([TYPES.index(m['label']) if m['label'] in TYPES else -1 for m in meta], dtype=np.int64)
    return mri, tumor, typ


def bucket(m):
    if m['source'] == 'nonmri':
        return 'nonmri'
    if m['source'] == 'brain-mri-binary':
        return 'binary_tumor'
    if m['source'] == 'normal-dicom':
        return 'dicom_notumor'
    return 'notumor' if m['label'] == 'notumor' else 'typed_tumor'


SHARES = {'typed_tumor': 0.3, 'notumor': 0.3, 'binary_tumor': 0.2, 'nonmri': 0.2}


def shares(extra_share):
    """Sampling shares per bucket; with extra (DICOM) normals, those take extra_share and the rest scale down."""
    if not extra_share:
        return dict(SHARES, dicom_notumor=0.0)
    return dict({k: v * (1 - extra_share) for k, v in SHARES.items()}, dicom_notumor=extra_share)


def augment(x, g, strength=1.0, erase=0.0):
    """x: [B,1,S,S] in [0,1] on the generator's device. Geometry, intensity, blur, noise and
    (optionally) cut-out, so the source's look is not a cue."""
    b = x.shape[0]
    dev = x.device
    rand = lambda *s: torch.rand(*s, generator=g, device=dev)  # noqa: E731
    flip = (rand(b) < 0.5).float() * 2 - 1
    ang = (rand(b) - 0.5) * math.radians(30 * strength)
    scale = 1 + (rand(b) - 0.5) * 0.3 * strength
    tx, ty = [(rand(b) - 0.5) * 0.16 * strength for _ in range(2)]
    cos, sin = torch.cos(ang) / scale, torch.sin(ang) / scale
    theta = torch.stack([torch.stack([cos * flip, -sin, tx], 1), torch.stack([sin * flip, cos, ty], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, align_corners=False, padding_mode='zeros')
    gamma = torch.exp((rand(b, 1, 1, 1) - 0.5) * 1.0 * strength)
    x = x.clamp(0, 1) ** gamma
    gain = 1 + (rand(b, 1, 1, 1) - 0.5) * 0.6 * strength
    x = (x * gain).clamp(0, 1)
    k = torch.tensor([1., 4., 6., 4., 1.], device=dev)
    k = (k[:, None] * k[None, :]) / 256
    blur = (rand(b, 1, 1, 1) < 0.3).float()
    xb = F.conv2d(F.pad(x, (2, 2, 2, 2), mode='replicate'), k[None, None])
    x = x * (1 - blur) + xb * blur
    noise = rand(b, 1, 1, 1) * 0.04 * strength
    x = (x + torch.randn(x.shape, generator=g, device=dev) * noise).clamp(0, 1)
    if erase > 0:
        # One black or grey rectangle (up to a quarter of each side) on a share of the images.
        s = x.shape[-1]
        ys = torch.arange(s, device=dev).view(1, 1, s, 1).float()
        xs = torch.arange(s, device=dev).view(1, 1, 1, s).float()
        h, w = (rand(b, 1, 1, 1) * 0.25 * s for _ in range(2))
        cy, cx = (rand(b, 1, 1, 1) * s for _ in range(2))
        box = ((ys - cy).abs() < h / 2) & ((xs - cx).abs() < w / 2) & (rand(b, 1, 1, 1) < erase)
        x = torch.where(box, rand(b, 1, 1, 1) * 0.5, x)
    return x


def batch_predict(model, crops, idx, bs=512):
    model.eval()
    dev = next(model.parameters()).device
    outs = {'type': [], 'tumor': [], 'mri': []}
    with torch.no_grad():
        for i in range(0, len(idx), bs):
            x = torch.from_numpy(crops[idx[i:i + bs]]).to(dev).float().unsqueeze(1) / 255
            t, tu, m, _ = model(x)
            outs['type'].append(t.cpu()); outs['tumor'].append(tu.cpu()); outs['mri'].append(m.cpu())
    return {k: torch.cat(v) for k, v in outs.items()}


def evaluate(meta, idx, out, thr=0.5):
    p_t = torch.sigmoid(out['tumor']).numpy()
    p_m = torch.sigmoid(out['mri']).numpy()
    typ = out['type'].argmax(1).numpy()
    src = np.array([meta[i]['source'] for i in idx]); lab = np.array([meta[i]['label'] for i in idx])
    r = {}
    bm = src == 'brain-mri'
    # The scores below are over the JPEG sources only (as before extra data existed); normal-dicom rows, when
    # validation holds any, are reported apart.
    dm = src == 'normal-dicom'
    truth_t = lab != 'notumor'
    pred_t = p_t >= thr
    r['brainmri_binary_acc'] = float((pred_t[bm] == truth_t[bm]).mean())
    four = np.where(pred_t, np.array(TYPES)[typ], 'notumor')
    r['brainmri_4class_acc'] = float((four[bm] == lab[bm]).mean())
    for t in TYPES:
        r[f'{t}_sensitivity'] = float((four[bm & (lab == t)] == t).mean())
    bt = src == 'brain-mri-binary'
    r['binary_sensitivity'] = float(pred_t[bt].mean()) if bt.any() else float('nan')
    nt = (lab == 'notumor') & ~dm
    if dm.any():
        r['dicom_specificity'] = float((~pred_t[dm]).mean())
    r['notumor_specificity'] = float((~pred_t[nt]).mean())
    nm = src == 'nonmri'
    r['nonmri_rejected'] = float((p_m[nm] < 0.5).mean()) if nm.any() else float('nan')
    r['mri_wrongly_rejected'] = float((p_m[~nm & ~dm] < 0.5).mean())
    vals = [r['brainmri_binary_acc'], r['notumor_specificity'], r['brainmri_4class_acc']]
    if bt.any():
        vals.append(r['binary_sensitivity'])
    r['score'] = float(np.mean(vals) + 0.25 * min(vals))
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}


def fit_temperature(logits, nll):
    best = (float('inf'), 1.0)
    for t in np.exp(np.linspace(math.log(0.3), math.log(6), 120)):
        v = nll(logits / t)
        if v < best[0]:
            best = (v, float(t))
    return best[1]


def calibrate(model, crops, meta, val_idx, extra):
    """Temperatures, then the thresholds, on the validation split only (CPU)."""
    mri_t, tumor_t, type_t = targets(meta)
    out = batch_predict(model, crops, val_idx)
    vt = torch.from_numpy(tumor_t[val_idx]); vy = torch.from_numpy(type_t[val_idx])
    mm = vt >= 0
    t_tumor = fit_temperature(out['tumor'][mm], lambda z: F.binary_cross_entropy_with_logits(z, vt[mm]).item())
    tm = vy >= 0
    t_type = fit_temperature(out['type'][tm], lambda z: F.cross_entropy(z, vy[tm]).item()) if tm.any() else 1.0
    p_t = torch.sigmoid(out['tumor'][mm] / t_tumor).numpy()
    pos = np.sort(p_t[vt[mm].numpy() == 1])
    # Favour sensitivity: the highest threshold that still catches ≥ 99.5 % of validation tumours, at most 0.5.
    k = int(math.floor(len(pos) * 0.005))
    threshold = float(min(0.5, pos[k] - 1e-6)) if len(pos) else 0.5
    p_m = torch.sigmoid(out['mri']).numpy()
    is_mri_val = mri_t[val_idx] == 1
    mri_scores = np.sort(p_m[is_mri_val])
    # Reject only below what 99.8 % of validation MRIs exceed, and never above 0.5.
    mri_threshold = float(min(0.5, mri_scores[int(len(mri_scores) * 0.002)] - 1e-6))
    return {
        'temperature': {'tumor': t_tumor, 'type': t_type},
        'threshold': threshold,
        'mriThreshold': mri_threshold,
        **extra,
        'validation': evaluate(meta, val_idx, out, threshold),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='.cache/dataset')
    ap.add_argument('--out', default='.cache/run')
    ap.add_argument('--epochs', type=int, default=160)
    ap.add_argument('--width', default='16,32,64,128,192')
    ap.add_argument('--mri-weight', type=float, default=1.0)
    ap.add_argument('--type-weight', type=float, default=1.0)
    ap.add_argument('--smoothing', type=float, default=0.05)
    ap.add_argument('--aug', type=float, default=1.15, help='augmentation strength')
    ap.add_argument('--erase', type=float, default=0.15, help='share of images with a cut-out')
    ap.add_argument('--batch', type=int, default=128)
    ap.add_argument('--lr', type=float, default=3e-3)
    ap.add_argument('--wd', type=float, default=5e-4)
    ap.add_argument('--ema', type=float, default=0.998, help='EMA decay of the weights per step (0: off)')
    ap.add_argument('--seed', type=int, default=3)
    ap.add_argument('--threads', type=int, default=0)
    ap.add_argument('--time-budget', type=float, default=0, help='seconds: fewer epochs if the full count would not fit')
    ap.add_argument('--no-export', action='store_true', help='only train: weights.pt, log.jsonl, calibration.json')
    ap.add_argument('--from-weights', help='skip training: calibrate and export these weights')
    ap.add_argument('--smoke', action='store_true')
    ap.add_argument('--init-weights', help='fine-tune: start from these weights (e.g. models/weights/bigbrain-1.2.0.pt)')
    ap.add_argument('--extra', help='a folder of extra crops + meta.jsonl to train on (models/scripts/dicom-dataset.ts)')
    ap.add_argument('--extra-share', type=float, default=0.15, help='sampling share of the extra crops')
    ap.add_argument('--hold-out', help='person whose extra crops stay out of training (leave-one-person-out)')
    ap.add_argument('--select', choices=['best', 'last'], default='best', help='weights of the best validation epoch, or the last')
    args = ap.parse_args()
    if args.smoke:
        args.epochs = 1
    random.seed(args.seed); np.random.seed(args.seed); torch.manual_seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    dev = 'cuda' if torch.cuda.is_available() and not args.from_weights else 'cpu'
    if dev == 'cuda':
        torch.backends.cudnn.benchmark = True
    os.makedirs(args.out, exist_ok=True)
    width = parse_width(args.width)

    crops, meta = load(args.data)
    if args.extra:
        crops, meta = load_extra(crops, meta, args.extra, args.hold_out)
    held_idx = np.array([i for i, m in enumerate(meta) if m['split'] == 'heldout'])
    mri_t, tumor_t, type_t = targets(meta)
    train_idx = np.array([i for i, m in enumerate(meta) if m['split'] == 'train'])
    val_idx = np.array([i for i, m in enumerate(meta) if m['split'] == 'val' and m['variant'] == 0])
    recipe = {k: getattr(args, k) for k in ('epochs', 'width', 'mri_weight', 'type_weight', 'smoothing', 'aug', 'erase', 'batch', 'lr', 'wd', 'ema', 'seed')}
    if args.init_weights:
        recipe.update(initWeights=os.path.basename(args.init_weights), extra=bool(args.extra), extraShare=args.extra_share if args.extra else 0,
                      holdOut=args.hold_out, select=args.select)

    if args.from_weights:
        state = torch.load(args.from_weights, map_location='cpu')
        prev = os.path.join(os.path.dirname(args.from_weights), 'calibration.json')
        if os.path.exists(prev) and 'width' in json.load(open(prev)):
            width = tuple(json.load(open(prev))['width'])
        model = BigBrainNet(width)
        model.load_state_dict(state)
        extra = {k: v for k, v in json.load(open(prev)).items() if k in ('bestEpoch', 'epochs', 'seed', 'recipe', 'device', 'trainSeconds')} if os.path.exists(prev) else {}
        finish(model.eval(), crops, meta, val_idx, extra, args)
        return

    buckets = [bucket(meta[i]) for i in train_idx]
    share = shares(args.extra_share if args.extra else 0)
    counts = {b: buckets.count(b) for b in share}
    weights = np.array([share[b] / max(1, counts[b]) for b in buckets])
    weights /= weights.sum()
    per_epoch = sum(1 for i in train_idx if meta[i]['variant'] == 0)
    print(f'train crops {len(train_idx)} ({counts}), {per_epoch} samples/epoch, val {len(val_idx)}, device {dev}, torch {torch.__version__}', flush=True)

    model = BigBrainNet(width)
    if args.init_weights:
        model.load_state_dict(torch.load(args.init_weights, map_location='cpu'))
    model = model.to(dev)
    ema = copy.deepcopy(model).eval() if args.ema > 0 else None
    if ema is not None:
        ema_p, live_p = list(ema.parameters()), [p.detach() for p in model.parameters()]
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.wd)
    steps_per_epoch = math.ceil(per_epoch / args.batch)
    total = {'epochs': args.epochs}
    warm = max(1, min(3, args.epochs // 10)) * steps_per_epoch

    def lr_at(step):  # linear warm-up, then cosine to zero at the end of the last epoch
        if step < warm:
            return (step + 1) / warm
        end = total['epochs'] * steps_per_epoch
        return 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warm) / max(1, end - warm))))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_at)
    g = torch.Generator(device=dev).manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    crops_dev = torch.from_numpy(crops[train_idx]).to(dev)
    pos_of = {int(i): p for p, i in enumerate(train_idx)}
    mri_all, tumor_all, type_all = (torch.from_numpy(a[train_idx]).to(dev) for a in (mri_t, tumor_t, type_t))
    best = (-1.0, None, None)
    log = open(os.path.join(args.out, 'log.jsonl'), 'w')
    started = time.time()
    epoch = 0
    step = 0
    while epoch < total['epochs']:
        model.train()
        t0 = time.time()
        picks = torch.from_numpy(np.array([pos_of[int(i)] for i in rng.choice(train_idx, size=per_epoch, p=weights)])).to(dev)
        run_loss = torch.zeros((), device=dev)
        for s in range(0, per_epoch, args.batch):
            ids = picks[s:s + args.batch]
            x = augment(crops_dev[ids].float().unsqueeze(1).div_(255), g, args.aug, args.erase)
            m, tu, ty = mri_all[ids], tumor_all[ids], type_all[ids]
            out_type, out_tumor, out_mri, _ = model(x)
            loss = F.binary_cross_entropy_with_logits(out_mri, m) * args.mri_weight
            is_mri = (tu >= 0).float()
            tu_s = tu.clamp(min=0) * (1 - args.smoothing) + 0.5 * args.smoothing
            loss = loss + (F.binary_cross_entropy_with_logits(out_tumor, tu_s, reduction='none') * is_mri).sum() / is_mri.sum().clamp(min=1)
            typed = (ty >= 0).float()
            ce = F.cross_entropy(out_type, ty.clamp(min=0), label_smoothing=args.smoothing, reduction='none')
            loss = loss + args.type_weight * (ce * typed).sum() / typed.sum().clamp(min=1)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step(); sched.step(); step += 1
            if ema is not None:
                d = min(args.ema, (1 + step) / (10 + step))
                with torch.no_grad():
                    torch._foreach_mul_(ema_p, d)
                    torch._foreach_add_(ema_p, live_p, alpha=1 - d)
            run_loss += loss.detach() * len(ids)
        epoch += 1
        if ema is not None:  # BatchNorm statistics: the live model's
            with torch.no_grad():
                for be, bm in zip(ema.buffers(), model.buffers()):
                    be.copy_(bm)
        judged = ema if ema is not None else model
        out = batch_predict(judged, crops, val_idx)
        r = evaluate(meta, val_idx, out)
        if len(held_idx):
            ho = batch_predict(judged, crops, held_idx)
            r['heldout_specificity'] = float((torch.sigmoid(ho['tumor']).numpy() < 0.5).mean())
            r['heldout_rejected'] = float((torch.sigmoid(ho['mri']).numpy() < 0.5).mean())
        secs = time.time() - t0
        if args.time_budget and epoch == 2:
            fit = int((args.time_budget - (time.time() - started)) / secs) + epoch
            if fit < total['epochs']:
                total['epochs'] = max(epoch + 1, fit)
                print(f'time budget: {total["epochs"]} epochs instead of {args.epochs}', flush=True)
        r.update(epoch=epoch, loss=float(run_loss) / per_epoch, seconds=round(secs, 2), lr=sched.get_last_lr()[0])
        print(json.dumps(r), flush=True)
        log.write(json.dumps(r) + '\n'); log.flush()
        if args.select == 'last' or r['score'] >= best[0]:  # ties go to the later (longer-averaged) epoch
            best = (r['score'], {k: v.detach().cpu().clone() for k, v in judged.state_dict().items()}, epoch)
    recipe['epochs'] = total['epochs']
    model = BigBrainNet(width)
    model.load_state_dict(best[1])
    model.eval()
    train_seconds = round(time.time() - started)
    print(f'best epoch {best[2]} of {total["epochs"]}, {train_seconds} s', flush=True)
    extra = {'bestEpoch': best[2], 'epochs': total['epochs'], 'seed': args.seed, 'recipe': recipe,
             'device': torch.cuda.get_device_name() if dev == 'cuda' else 'cpu', 'trainSeconds': train_seconds}
    if ema is not None:
        torch.save({k: v.cpu() for k, v in ema.state_dict().items()}, os.path.join(args.out, 'weights-last.pt'))
    finish(model, crops, meta, val_idx, extra, args)


def finish(model, crops, meta, val_idx, extra, args):
    calib = calibrate(model, crops, meta, val_idx, extra)
    calib['width'] = list(model.width)
    print(json.dumps(calib), flush=True)
    json.dump(calib, open(os.path.join(args.out, 'calibration.json'), 'w'), indent=2)
    torch.save(model.state_dict(), os.path.join(args.out, 'weights.pt'))
    if not args.no_export:
        from export import export
        export(model, calib, crops[val_idx[:64]], args.out)


if __name__ == '__main__':
    main()
