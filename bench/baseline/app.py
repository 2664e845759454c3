"""The original BigBrain stack, as the benchmark's reference point: Flask + PyTorch (eager),
the model loaded once per worker, one image per request, served by gunicorn 2 workers x 1 thread.

Same HTTP contract as the Node server: POST /detect, multipart field `file`, `auth-token` header.
Token check: an in-process dict (BASELINE_TOKENS, comma-separated, from the environment) — the
original looked a token up per request; a dict lookup is the cheapest honest stand-in and flatters
the baseline, never the Node server (which checks a hashed session token in its database per request).

Preprocessing is this baseline's own minimal numpy/PIL port of models/core/preprocess.ts (pp-1):
PIL decode with EXIF orientation, grey by the BT.601 luma (PIL 'L'), the same brain bounding box
(2 % rule, threshold from the 99th percentile, 4 % margin), padded to a centred square and area-
averaged to 96 px with PIL's BOX filter. Close to, not bit-identical with, the TypeScript pipeline.
"""
import io
import json
import os
import sys

import numpy as np
import torch
from flask import Flask, jsonify, request
from PIL import Image, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, os.path.join(REPO, 'models', 'train'))
from net import BigBrainNet, Exported  # noqa: E402

torch.set_num_threads(int(os.environ.get('BASELINE_TORCH_THREADS', '1')))
CARD = json.load(open(os.path.join(REPO, 'models', 'card.json')))
WEIGHTS = os.environ.get('BASELINE_WEIGHTS') or os.path.join(REPO, 'models', 'weights', f"bigbrain-{CARD['version']}.pt")
LABELS = CARD['labels']
SIZE = 96

net = BigBrainNet()
net.load_state_dict(torch.load(WEIGHTS, map_location='cpu'))
model = Exported(net, CARD['temperature']['tumor'], CARD['temperature']['type']).eval()
TOKENS = {t for t in os.environ.get('BASELINE_TOKENS', '').split(',') if t}

app = Flask(__name__)


def crop_box(grey):
    h, w = grey.shape
    p99 = int(np.searchsorted(np.cumsum(np.bincount(grey.ravel(), minlength=256)), grey.size * 0.99))
    thr = max(12, round(p99 * 0.12))
    bright = grey > thr
    rows, cols = bright.sum(axis=1), bright.sum(axis=0)
    ys = np.nonzero(rows >= max(1, int(np.ceil(w * 0.02))))[0]
    xs = np.nonzero(cols >= max(1, int(np.ceil(h * 0.02))))[0]
    if len(ys) == 0 or len(xs) == 0:
        return 0, 0, w, h
    bw, bh = xs[-1] - xs[0] + 1, ys[-1] - ys[0] + 1
    if bw < min(8, w) or bh < min(8, h):
        return 0, 0, w, h
    m = round(max(bw, bh) * 0.04)
    x0, y0 = max(0, xs[0] - m), max(0, ys[0] - m)
    x1, y1 = min(w, xs[-1] + 1 + m), min(h, ys[-1] + 1 + m)
    return int(x0), int(y0), int(x1), int(y1)


def preprocess(data):
    img = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    grey = np.asarray(img.convert('L'))
    x0, y0, x1, y1 = crop_box(grey)
    crop = grey[y0:y1, x0:x1]
    side = max(crop.shape)
    square = np.zeros((side, side), np.uint8)
    oy, ox = (side - crop.shape[0]) // 2, (side - crop.shape[1]) // 2
    square[oy:oy + crop.shape[0], ox:ox + crop.shape[1]] = crop
    small = np.asarray(Image.fromarray(square).resize((SIZE, SIZE), Image.BOX), np.float32) / 255.0
    return torch.from_numpy(small).reshape(1, 1, SIZE, SIZE)


@app.post('/detect')
def detect():
    if request.headers.get('auth-token') not in TOKENS:
        return jsonify(error='Invalid token.', code='invalid_token'), 401
    f = request.files.get('file')
    if f is None:
        return jsonify(error='No file.', code='missing_file'), 400
    try:
        x = preprocess(f.read())
    except Exception:  # noqa: BLE001 - any decode failure is the client's
        return jsonify(error='Corrupt image.', code='corrupt_image'), 422
    with torch.no_grad():
        probs, mri, _cam = model(x)
    p = probs[0].tolist()
    label = LABELS[int(np.argmax(p))]
    return jsonify(result='No Tumor' if label == 'notumor' else 'Tumor', label=label,
                   probabilities=dict(zip(LABELS, p)), mriProbability=float(mri[0, 0]))


@app.get('/health')
def health():
    return jsonify(status='ok')
