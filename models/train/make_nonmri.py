"""Generates the non-MRI image set the reject head learns from and is measured on.

Deterministic (seeded). Writes <out>/<category>/<family>__<k>.png, where images of one
family (one base picture) always land in the same split.

  /usr/bin/python3 models/train/make_nonmri.py --out .cache/nonmri
"""
import argparse
import glob
import os
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

SKIMAGE = {
    'photo': ['astronaut', 'coffee', 'chelsea', 'rocket', 'camera', 'coins', 'moon', 'horse', 'clock',
              'hubble_deep_field', 'grass', 'gravel', 'brick', 'colorwheel', 'logo', 'cat'],
    'document': ['page', 'text'],
    'medical_other': ['retina', 'immunohistochemistry', 'microaneurysms', 'human_mitosis', 'cell', 'skin',
                      'kidney', 'lily'],
}
SCREENSHOT_GLOBS = ['/usr/share/pixmaps/*.png', '/usr/share/doc/**/*.png', '/usr/share/doc/**/*.jpg',
                    '/usr/share/backgrounds/**/*.*', '/usr/share/wallpapers/**/*.*',
                    '/root/.rustup/toolchains/*/share/doc/rust/html/**/*.png',
                    '/usr/lib/python3/dist-packages/matplotlib/mpl-data/sample_data/*.png',
                    '/usr/lib/python3/dist-packages/matplotlib/mpl-data/sample_data/*.jpg']


def skimage_images(name):
    from skimage import data
    try:
        img = getattr(data, name)()
    except Exception:
        return None
    img = np.asarray(img)
    if img.dtype == bool:
        img = img.astype(np.uint8) * 255
    if img.dtype != np.uint8:
        img = (255 * (img - img.min()) / max(1e-6, float(img.max() - img.min()))).astype(np.uint8)
    if img.ndim == 3 and img.shape[-1] == 4:
        img = img[..., :3]
    if img.ndim == 3 and img.shape[-1] not in (3,):
        return None
    return Image.fromarray(img)


def jitter(img, rng):
    """A random view of a base picture: crop, rotate, resize, sometimes grey or inverted."""
    w, h = img.size
    s = rng.uniform(0.4, 1.0)
    cw, ch = max(16, int(w * s)), max(16, int(h * s))
    x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
    out = img.crop((x, y, x + cw, y + ch)).rotate(rng.choice([0, 0, 90, 180, 270]), expand=True)
    side = rng.randint(96, 384)
    out = out.resize((side, int(side * out.size[1] / out.size[0]) or 1))
    r = rng.random()
    if r < 0.45:
        out = ImageOps.grayscale(out)  # grey photos are the hard case: MRIs are grey
    elif r < 0.55:
        out = ImageOps.invert(out.convert('RGB'))
    return out


def noise(rng, k):
    n = rng.randint(64, 320)
    kind = k % 4
    a = np.random.default_rng(k)
    if kind == 0:
        arr = a.normal(rng.uniform(40, 200), rng.uniform(5, 80), (n, n))
    elif kind == 1:
        arr = a.uniform(0, 255, (n, n, 3))
    elif kind == 2:
        arr = np.where(a.random((n, n)) < rng.uniform(0.01, 0.5), 255, 0).astype(float)
    else:
        arr = a.normal(128, 60, (n // 8 + 1, n // 8 + 1))
        return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).resize((n, n), Image.BICUBIC)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def flat(rng, k):
    c = tuple(rng.randint(0, 255) for _ in range(3)) if k % 3 else (rng.choice([0, 255, rng.randint(0, 255)]),) * 3
    return Image.new('RGB', (rng.randint(32, 300), rng.randint(32, 300)), c)


def gradient(rng, k):
    n = rng.randint(64, 300)
    yy, xx = np.mgrid[0:n, 0:n] / n
    if k % 2:
        arr = np.sqrt((xx - rng.random()) ** 2 + (yy - rng.random()) ** 2)
    else:
        t = rng.uniform(0, np.pi)
        arr = xx * np.cos(t) + yy * np.sin(t)
    arr = (arr - arr.min()) / max(1e-6, arr.max() - arr.min()) * 255
    return Image.fromarray(arr.astype(np.uint8))


def font(size):
    for path in glob.glob('/usr/share/fonts/**/*.ttf', recursive=True):
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            pass
    return ImageFont.load_default()


WORDS = 'patient report scan result normal findings dose clinic image date name lorem ipsum dolor sit amet'.split()


def text(rng, k):
    dark = k % 3 == 0
    img = Image.new('L', (rng.randint(160, 400), rng.randint(160, 400)), 0 if dark else rng.randint(200, 255))
    d = ImageDraw.Draw(img)
    f = font(rng.randint(10, 28))
    for y in range(5, img.size[1], rng.randint(14, 34)):
        d.text((rng.randint(2, 20), y), ' '.join(rng.choice(WORDS) for _ in range(8)), fill=255 if dark else rng.randint(0, 60), font=f)
    return img


def shapes(rng, k):
    img = Image.new('L' if k % 2 else 'RGB', (rng.randint(96, 320),) * 2, 0 if k % 3 else 255)
    d = ImageDraw.Draw(img)
    for _ in range(rng.randint(1, 8)):
        x0, y0 = rng.randint(0, img.size[0] - 10), rng.randint(0, img.size[1] - 10)
        box = (x0, y0, rng.randint(x0 + 5, img.size[0]), rng.randint(y0 + 5, img.size[1]))
        fill = rng.randint(30, 255) if img.mode == 'L' else tuple(rng.randint(0, 255) for _ in range(3))
        [d.ellipse, d.rectangle, d.line][rng.randint(0, 2)](box, fill=fill)
    return img.filter(ImageFilter.GaussianBlur(rng.uniform(0, 2)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default='.cache/nonmri')
    ap.add_argument('--per-base', type=int, default=30)
    ap.add_argument('--synthetic', type=int, default=150)
    args = ap.parse_args()
    rng = random.Random(1234)
    counts = {}

    def save(category, family, k, img):
        os.makedirs(os.path.join(args.out, category), exist_ok=True)
        img.save(os.path.join(args.out, category, f'{family}__{k}.png'))
        counts[category] = counts.get(category, 0) + 1

    for category, names in SKIMAGE.items():
        for name in names:
            base = skimage_images(name)
            if base is None:
                continue
            for k in range(args.per_base):
                save(category, name, k, jitter(base, rng))
    shots = sorted({p for g in SCREENSHOT_GLOBS for p in glob.glob(g, recursive=True)})
    shots = [p for p in shots if os.path.getsize(p) > 8000]
    rng.shuffle(shots)
    for i, path in enumerate(shots[:300]):
        try:
            img = Image.open(path).convert('RGB')
        except Exception:
            continue
        if min(img.size) < 48:
            continue
        save('screenshot', f'shot{i}', 0, img if max(img.size) <= 800 else img.resize((800, int(800 * img.size[1] / img.size[0]) or 1)))
    for category, make in [('noise', noise), ('flat', flat), ('gradient', gradient), ('text', text), ('shapes', shapes)]:
        for k in range(args.synthetic):
            save(category, f'{category}{k // 10}', k, make(rng, k))
    print(counts, sum(counts.values()))


if __name__ == '__main__':
    main()
