"""Graph surgery for the server's int8 build of the shipped ONNX model (static QDQ, models/scripts/quantize.ts).

  expose <fp32.onnx> <out.onnx>                 the same graph, with every Conv input and ReLU/MaxPool output as an
                                                extra output, for the calibration run (activation ranges)
  qdq <fp32.onnx> <ranges.json> <out.onnx>      QuantizeLinear/DequantizeLinear pairs on those activations (uint8,
                                                asymmetric, min-max of the calibration run), the Conv weights int8
                                                symmetric per output channel, the Conv biases int32 at the input scale
                                                times the weight scale. onnxruntime fuses the pattern into QLinearConv.
Needs Debian's python3-onnx and python3-numpy only (no onnxruntime for Python).
"""
import json
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper


def calibrated_tensors(graph):
    names = []
    for n in graph.node:
        if n.op_type == 'Conv':
            names.append(n.input[0])
        if n.op_type in ('Relu', 'MaxPool'):
            names.append(n.output[0])
    return list(dict.fromkeys(names))


def expose(src, dst):
    m = onnx.load(src)
    have = {o.name for o in m.graph.output}
    for t in calibrated_tensors(m.graph):
        if t not in have:
            m.graph.output.append(helper.make_tensor_value_info(t, onnx.TensorProto.FLOAT, None))
    onnx.save(m, dst)


def qdq(src, ranges_path, dst):
    m = onnx.load(src)
    g = m.graph
    ranges = json.load(open(ranges_path))
    inits = {i.name: i for i in g.initializer}
    added = []
    act = {}  # tensor -> (dequantized name, [Q, DQ nodes], scale)
    for t in calibrated_tensors(g):
        lo, hi = ranges[t]
        lo, hi = min(lo, 0.0), max(hi, 0.0)
        scale = np.float32((hi - lo) / 255.0)
        zp = np.uint8(round(-lo / float(scale)))
        key = t.strip('/').replace('/', '_')
        added += [numpy_helper.from_array(np.array(scale, np.float32), key + '_scale'),
                  numpy_helper.from_array(np.array(zp, np.uint8), key + '_zero')]
        nodes = [helper.make_node('QuantizeLinear', [t, key + '_scale', key + '_zero'], [key + '_q'], name=key + '_Q'),
                 helper.make_node('DequantizeLinear', [key + '_q', key + '_scale', key + '_zero'], [key + '_dq'], name=key + '_DQ')]
        act[t] = (key + '_dq', nodes, float(scale))
    by_dq = {v[0]: k for k, v in act.items()}
    out = []
    # the graph input's pair goes first; the others follow their producers
    for t, (_, nodes, _) in act.items():
        if t in {i.name for i in g.input}:
            out += nodes
    for n in g.node:
        for i, x in enumerate(n.input):
            if x in act:
                n.input[i] = act[x][0]
        if n.op_type == 'Conv':
            s_x = act[by_dq[n.input[0]]][2]
            w = numpy_helper.to_array(inits[n.input[1]]).astype(np.float32)
            s_w = (np.maximum(np.abs(w).reshape(w.shape[0], -1).max(axis=1), 1e-12) / 127.0).astype(np.float32)
            wq = np.clip(np.round(w / s_w[:, None, None, None]), -127, 127).astype(np.int8)
            name = n.input[1]
            added += [numpy_helper.from_array(wq, name + '_q'), numpy_helper.from_array(s_w, name + '_scale'),
                      numpy_helper.from_array(np.zeros(w.shape[0], np.int8), name + '_zero')]
            out.append(helper.make_node('DequantizeLinear', [name + '_q', name + '_scale', name + '_zero'], [name + '_dq'], name=name + '_DQ', axis=0))
            n.input[1] = name + '_dq'
            if len(n.input) > 2 and n.input[2]:
                b = numpy_helper.to_array(inits[n.input[2]]).astype(np.float64)
                s_b = (np.float32(s_x) * s_w).astype(np.float32)
                bq = np.round(b / s_b).astype(np.int32)
                name = n.input[2]
                added += [numpy_helper.from_array(bq, name + '_q'), numpy_helper.from_array(s_b, name + '_scale'),
                          numpy_helper.from_array(np.zeros(w.shape[0], np.int32), name + '_zero')]
                out.append(helper.make_node('DequantizeLinear', [name + '_q', name + '_scale', name + '_zero'], [name + '_dq'], name=name + '_DQ', axis=0))
                n.input[2] = name + '_dq'
        out.append(n)
        for o in n.output:
            if o in act:
                out += act[o][1]
    used = {x for n in out for x in n.input}
    kept = [i for i in list(g.initializer) + added if i.name in used]
    del g.node[:]
    g.node.extend(out)
    del g.initializer[:]
    g.initializer.extend(kept)
    onnx.checker.check_model(m)
    onnx.save(m, dst)


if __name__ == '__main__':
    cmd, *args = sys.argv[1:]
    {'expose': expose, 'qdq': qdq}[cmd](*args)
