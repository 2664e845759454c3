"""ONNX export with the temperatures inside the graph, plus reference outputs from PyTorch
that `npm run package-model` compares the ONNX file against in onnxruntime-node.

  /usr/bin/python3 models/train/export.py --run .cache/run   (re-export a finished run)
"""
import argparse
import json
import os

import numpy as np
import torch

from net import BigBrainNet, Exported

OUTPUTS = ['probabilities', 'mri_probability', 'cam']


def export(model, calib, check_crops, out_dir):
    exported = Exported(model, calib['temperature']['tumor'], calib['temperature']['type']).eval()
    x = torch.from_numpy(np.ascontiguousarray(check_crops)).float().unsqueeze(1) / 255
    with torch.no_grad():
        ref = exported(x)
    check = {'x': list(x.shape)}
    x.numpy().astype('<f4').tofile(os.path.join(out_dir, 'check-x.f32'))
    for name, t in zip(OUTPUTS, ref):
        t.numpy().astype('<f4').tofile(os.path.join(out_dir, f'check-{name}.f32'))
        check[name] = list(t.shape)
    json.dump(check, open(os.path.join(out_dir, 'check.json'), 'w'))
    torch.onnx.export(exported, x[:1], os.path.join(out_dir, 'model.onnx'), opset_version=17,
                      input_names=['image'], output_names=OUTPUTS,
                      dynamic_axes={n: {0: 'N'} for n in ['image'] + OUTPUTS})
    print('exported', os.path.join(out_dir, 'model.onnx'), flush=True)


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--run', default='.cache/run')
    ap.add_argument('--data', default='.cache/dataset')
    args = ap.parse_args()
    from train import load
    crops, meta = load(args.data)
    val_idx = [i for i, m in enumerate(meta) if m['split'] == 'val' and m['variant'] == 0][:64]
    calib = json.load(open(os.path.join(args.run, 'calibration.json')))
    model = BigBrainNet(calib.get('width', BigBrainNet().width))
    model.load_state_dict(torch.load(os.path.join(args.run, 'weights.pt'), map_location='cpu'))
    export(model.eval(), calib, crops[val_idx], args.run)
