#!/usr/bin/env python3
"""Writes a GPT-2-style decoder (GPT2LMHeadModel, no KV cache) with seeded
random weights as an ONNX model, node for node in the structure
torch.onnx.export (opset 17, dynamic batch/sequence axes, constant folding)
writes for Hugging Face's GPT-2 with eager attention: Conv1D layers as
Reshape/Gemm/Reshape, one fused c_attn split into q/k/v, the causal mask
sliced from the `bias` buffer and applied with Where, gelu_new written out
with Pow/Tanh, a final LayerNorm and the lm_head tied to wte.

Graph inputs : input_ids       int64 [batch_size, sequence_length]
               attention_mask  int64 [batch_size, sequence_length]  (only with --attention-mask)
Graph outputs: logits          float32 [batch_size, sequence_length, vocab]

--weights FILE.npz takes trained weights instead (models/tinygpt/train.py
writes them).

No torch needed. --check compares onnxruntime with a float64 numpy
implementation of GPT-2 written here.
"""
import argparse
import contextlib
import math
import os
import sys
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from torch_graph import TorchExportGraph  # noqa: E402


FLOAT_MIN = float(np.finfo(np.float32).min)  # torch.finfo(torch.float32).min


class Graph(TorchExportGraph):
    def view(self, x, parts):
        """x.view(...) of traced sizes (scalar values) and ints."""
        pieces = [self.unsqueeze(p, [0]) if isinstance(p, str) else self.i64([p]) for p in parts]
        return self.op("Reshape", [x, self.op("Concat", pieces, axis=0)], allowzero=0)

    def reduce_mean(self, x, axes, keepdims=1):
        if self.opset >= 18:
            return self.op("ReduceMean", [x, self.i64(axes)], keepdims=keepdims)
        return self.op("ReduceMean", [x], axes=axes, keepdims=keepdims)

    def layer_norm(self, x, weight, bias, eps, decomposed):
        if not decomposed:
            return self.op("LayerNormalization", [x, weight, bias], axis=-1, epsilon=eps)
        mean = self.reduce_mean(x, [-1])
        d = self.op("Sub", [x, mean])
        var = self.reduce_mean(self.op("Pow", [d, self.f32(2.0)]), [-1])
        std = self.op("Sqrt", [self.op("Add", [var, self.f32(eps)])])
        y = self.op("Div", [d, std])
        return self.op("Add", [self.op("Mul", [y, weight]), bias])


def make_weights(cfg, seed):
    """GPT-2's initialization scale (N(0, 0.02), residual projections scaled
    by 1/sqrt(2 n_layer)), with the randomness a trained model has where it
    matters for testing: LayerNorm gains/biases and Linear biases are not
    1/0, q/k projections are larger so attention is far from uniform, and the
    tied embedding has a trained model's scale so the logits spread."""
    rng = np.random.default_rng(seed)
    d, V, C, nl = cfg["d_model"], cfg["vocab"], cfg["n_ctx"], cfg["n_layer"]
    f = lambda *shape, std: (rng.standard_normal(shape) * std).astype(np.float32)
    w = {"transformer.wte.weight": f(V, d, std=0.1),
         "transformer.wpe.weight": f(C, d, std=0.02)}
    for i in range(nl):
        p = f"transformer.h.{i}."
        c_attn = f(d, 3 * d, std=0.02)
        c_attn[:, :2 * d] *= 5.0  # q and k: std 0.1
        w.update({
            p + "ln_1.weight": 1.0 + f(d, std=0.1), p + "ln_1.bias": f(d, std=0.05),
            p + "attn.c_attn.weight": c_attn, p + "attn.c_attn.bias": f(3 * d, std=0.02),
            p + "attn.c_proj.weight": f(d, d, std=0.02 / math.sqrt(2 * nl)),
            p + "attn.c_proj.bias": f(d, std=0.02),
            p + "ln_2.weight": 1.0 + f(d, std=0.1), p + "ln_2.bias": f(d, std=0.05),
            p + "mlp.c_fc.weight": f(d, 4 * d, std=0.02), p + "mlp.c_fc.bias": f(4 * d, std=0.02),
            p + "mlp.c_proj.weight": f(4 * d, d, std=0.02 / math.sqrt(2 * nl)),
            p + "mlp.c_proj.bias": f(d, std=0.02),
        })
    w["transformer.ln_f.weight"] = 1.0 + f(d, std=0.1)
    w["transformer.ln_f.bias"] = f(d, std=0.05)
    return w


def load_weights(path, n_head):
    """Trained weights from an .npz file holding the tensors under the names
    make_weights() gives them (Conv1D weights [in, out], as in Hugging
    Face's GPT-2). The layer count, d_model, vocab and n_ctx are read from
    the shapes; the head count is not in them and comes from the caller.
    Returns (cfg, weights as float32)."""
    with np.load(path) as z:
        w = {k: np.ascontiguousarray(z[k], dtype=np.float32) for k in z.files}
    if "transformer.wte.weight" not in w or "transformer.wpe.weight" not in w:
        raise ValueError(f"{path}: no transformer.wte.weight / transformer.wpe.weight")
    V, d = w["transformer.wte.weight"].shape
    n_layer = 0
    while f"transformer.h.{n_layer}.ln_1.weight" in w:
        n_layer += 1
    cfg = {"n_layer": n_layer, "n_head": n_head, "d_model": d, "vocab": V,
           "n_ctx": w["transformer.wpe.weight"].shape[0]}
    if d % n_head:
        raise ValueError(f"{path}: d_model {d} is not a multiple of --n-head {n_head}")
    want = {k: v.shape for k, v in make_weights(cfg, 0).items()}
    problems = [f"missing {k}" for k in want if k not in w]
    problems += [f"unexpected {k}" for k in w if k not in want]
    problems += [f"{k}: shape {list(w[k].shape)}, expected {list(s)}"
                 for k, s in want.items() if k in w and w[k].shape != s]
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems[:8]))
    return cfg, w


def build_gpt2(cfg, w, args):
    d, nh, C = cfg["d_model"], cfg["n_head"], cfg["n_ctx"]
    hd = d // nh
    eps = 1e-5
    decomposed = args.layernorm == "decomposed" or args.opset < 17
    g = Graph(args.opset)
    P = lambda name: g.init(name, w[name])
    ids = "input_ids"

    def conv1d(x, prefix):
        """transformers' Conv1D: size_out = x.size()[:-1] + (nf,);
        x = addmm(bias, x.view(-1, x.size(-1)), weight); x.view(size_out)."""
        W, b = w[prefix + ".weight"], P(prefix + ".bias")
        if args.conv1d == "matmul":  # MatMul + Add, as a plain 3-D Linear
            return g.op("Add", [g.op("MatMul", [x, g.init(prefix + ".weight", W)]), b])
        size_out = [g.size(x, 0), g.size(x, 1), W.shape[1]]
        x2 = g.view(x, [-1, g.size(x, 2)])
        y = g.op("Gemm", [x2, g.init(prefix + ".weight", W), b], alpha=1.0, beta=1.0)
        return g.view(y, size_out)

    def gelu_new(x):
        if args.gelu == "fused":
            return g.op("Gelu", [x], approximate="tanh")
        # 0.5 * x * (1.0 + tanh(sqrt(2/pi) * (x + 0.044715 * pow(x, 3.0))))
        half = g.op("Mul", [x, g.f32(0.5)])
        cube = g.op("Pow", [x, g.f32(3.0)])
        inner = g.op("Add", [x, g.op("Mul", [cube, g.f32(0.044715)])])
        t = g.op("Tanh", [g.op("Mul", [inner, g.f32(math.sqrt(2.0 / math.pi))])])
        return g.op("Mul", [half, g.op("Add", [t, g.f32(1.0)])])

    def split_heads(t):
        return g.view(t, [g.size(t, 0), g.size(t, 1), nh, hd])

    causal = np.tril(np.ones((C, C), dtype=np.bool_))[None, None]

    def eager_attention(q, k, v):
        """GPT2Attention._attn; k is [b, s, h, d] before its permute."""
        # key.permute(0,2,1,3) then .transpose(-1,-2): one Transpose
        k = g.op("Transpose", [k], perm=[0, 2, 3, 1])
        s = g.op("MatMul", [q, k])
        s = g.op("Div", [s, g.f32(math.sqrt(hd))])
        q_len = g.size(s, 2)
        k_len = g.size(s, 3)
        if args.causal_mask == "slice":
            # self.bias[:, :, k_len - q_len : k_len, :k_len] (a bool buffer)
            bias = g.const(causal, np.bool_)
            start = g.unsqueeze(g.op("Sub", [k_len, q_len]), [0])
            cm = g.op("Slice", [bias, start, g.unsqueeze(k_len, [0]), g.i64([2]), g.i64([1])])
            cm = g.op("Slice", [cm, g.i64([0]), g.unsqueeze(k_len, [0]), g.i64([3]), g.i64([1])])
        else:
            # tril(ones(q_len, k_len), diagonal=k_len - q_len).bool()
            shape = g.op("Concat", [g.unsqueeze(q_len, [0]), g.unsqueeze(k_len, [0])], axis=0)
            ones = g.op("ConstantOfShape", [shape],
                        value=numpy_helper.from_array(np.array([1.0], np.float32)))
            tri = g.op("Trilu", [ones, g.op("Sub", [k_len, q_len])], upper=0)
            cm = g.op("Cast", [tri], to=TensorProto.BOOL)
        s = g.op("Where", [cm, s, g.f32(FLOAT_MIN)])
        if ext_mask is not None:
            s = g.op("Add", [s, ext_mask])
        s = g.op("Softmax", [s], axis=-1)
        c = g.op("MatMul", [s, v])
        c = g.op("Transpose", [c], perm=[0, 2, 1, 3])
        return g.view(c, [g.size(c, 0), g.size(c, 1), d])

    def sdpa_causal(q, k, v):
        """torch.onnx's scaled_dot_product_attention(q, k, v, is_causal=True)
        (opset 14+); k is [b, s, h, d] before its permute."""
        int64_max = np.iinfo(np.int64).max
        key = g.op("Transpose", [k], perm=[0, 2, 1, 3])  # only its Shape is used
        # _attention_scale: 1 / sqrt(query.size(-1)) from the shape
        last = g.op("Slice", [g.op("Shape", [q]), g.i64([-1]), g.i64([int64_max])])
        scale = g.op("Div", [g.f32([1.0]),
                             g.op("Sqrt", [g.op("Cast", [last], to=TensorProto.FLOAT)])])
        scale = g.op("Cast", [scale], to=TensorProto.FLOAT)
        # _causal_attention_mask: tril(ones(L, S)) -> 0 / -inf
        tgt = g.op("Slice", [g.op("Shape", [q]), g.i64([-2]), g.i64([-1])])
        src = g.op("Slice", [g.op("Shape", [key]), g.i64([-2]), g.i64([-1])])
        size = g.op("Concat", [tgt, src], axis=0)
        tri = g.op("Trilu", [g.op("Expand", [g.f32([1.0]), size])], upper=0)
        zero = g.f32([0.0])
        mask = g.op("Where", [g.op("Equal", [tri, zero]), g.f32([-np.inf]), zero])
        # the permute and sdpa's transpose(-2, -1) fused into one Transpose
        kt = g.op("Transpose", [k], perm=[0, 2, 3, 1])
        qs = g.op("Mul", [q, g.op("Sqrt", [scale])])
        ks = g.op("Mul", [kt, g.op("Sqrt", [scale])])
        s = g.op("Add", [g.op("MatMul", [qs, ks]), mask])
        return g.op("MatMul", [g.op("Softmax", [s], axis=-1), v])

    with g.scope("transformer"):
        # input_shape = input_ids.size(); input_ids = input_ids.view(-1, input_shape[-1])
        seq = g.size(ids, 1)
        x_ids = g.view(ids, [-1, seq])
        # position_ids = torch.arange(0, input_shape[-1], dtype=torch.long)
        #                     .unsqueeze(0).view(-1, input_shape[-1])
        limit = g.op("Cast", [seq], to=TensorProto.INT64)
        pos = g.op("Range", [g.i64(0), limit, g.i64(1)])
        pos = g.view(g.unsqueeze(pos, [0]), [-1, seq])
        ext_mask = None
        if args.attention_mask:
            # attention_mask.view(batch_size, -1)[:, None, None, :]; (1.0 - m) * finfo.min
            m = g.view("attention_mask", [g.size(x_ids, 0), -1])
            m = g.unsqueeze(g.unsqueeze(m, [1]), [2])
            m = g.op("Cast", [m], to=TensorProto.FLOAT)
            ext_mask = g.op("Mul", [g.op("Sub", [g.f32(1.0), m]), g.f32(FLOAT_MIN)])
        with g.scope("wte"):
            x = g.op("Gather", [P("transformer.wte.weight"), x_ids])
        with g.scope("wpe"):
            p = g.op("Gather", [P("transformer.wpe.weight"), pos])
        x = g.op("Add", [x, p])

        for i in range(cfg["n_layer"]):
            L = f"transformer.h.{i}."
            with g.scope(f"h.{i}"):
                residual = x
                with g.scope("ln_1"):
                    h = g.layer_norm(x, P(L + "ln_1.weight"), P(L + "ln_1.bias"), eps, decomposed)
                with g.scope("attn"):
                    if args.attention == "sdpa":
                        bsz, q_len = g.size(h, 0), g.size(h, 1)  # hidden_states.size()
                    with g.scope("c_attn"):
                        qkv = conv1d(h, L + "attn.c_attn")
                    q, k, v = g.op("Split", [qkv, g.i64([d, d, d])], n_out=3, axis=2)
                    q = g.op("Transpose", [split_heads(q)], perm=[0, 2, 1, 3])
                    k = split_heads(k)
                    v = g.op("Transpose", [split_heads(v)], perm=[0, 2, 1, 3])
                    if args.attention == "sdpa":
                        c = sdpa_causal(q, k, v)
                        c = g.op("Transpose", [c], perm=[0, 2, 1, 3])
                        c = g.view(c, [bsz, q_len, d])
                    else:
                        c = eager_attention(q, k, v)
                    with g.scope("c_proj"):
                        a = conv1d(c, L + "attn.c_proj")
                x = g.op("Add", [a, residual])
                residual = x
                with g.scope("ln_2"):
                    h = g.layer_norm(x, P(L + "ln_2.weight"), P(L + "ln_2.bias"), eps, decomposed)
                with g.scope("mlp"):
                    with g.scope("c_fc"):
                        h = conv1d(h, L + "mlp.c_fc")
                    with g.scope("act"):
                        h = gelu_new(h)
                    with g.scope("c_proj"):
                        h = conv1d(h, L + "mlp.c_proj")
                x = g.op("Add", [residual, h])
        with g.scope("ln_f"):
            x = g.layer_norm(x, P("transformer.ln_f.weight"), P("transformer.ln_f.bias"), eps,
                             decomposed)
        # output_shape = (-1,) + input_shape[1:] + (hidden_states.size(-1),)
        x = g.view(x, [-1, seq, g.size(x, 2)])
    with g.scope("lm_head"):
        wte = w["transformer.wte.weight"]
        if args.lm_head == "transpose":  # one copy of wte, transposed by a node
            wt = g.op("Transpose", ["transformer.wte.weight"], perm=[1, 0])
        else:  # torch folds lm_head.weight.T into its own initializer
            wt = g.fold(wte.T)
        logits = g.op("MatMul", [x, wt])
    for n in g.nodes:
        n.output[:] = ["logits" if o == logits else o for o in n.output]

    dyn = ["batch_size", "sequence_length"]
    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, dyn)]
    if args.attention_mask:
        inputs.append(helper.make_tensor_value_info("attention_mask", TensorProto.INT64, dyn))
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, dyn + [cfg["vocab"]])]
    graph = helper.make_graph(g.nodes, "main_graph", inputs, outputs, g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", args.opset)],
                              producer_name="pytorch", producer_version="2.3.0")
    model.ir_version = 8
    return model


def gpt2_reference(cfg, w, feeds):
    f = lambda n: w[n].astype(np.float64)
    d, nh = cfg["d_model"], cfg["n_head"]
    hd = d // nh
    ids = feeds["input_ids"]
    B, S = ids.shape

    def ln(x, p):
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + 1e-5) * f(p + ".weight") + f(p + ".bias")

    conv = lambda x, p: x @ f(p + ".weight") + f(p + ".bias")
    x = f("transformer.wte.weight")[ids] + f("transformer.wpe.weight")[np.arange(S)][None]
    causal = np.tril(np.ones((S, S), dtype=bool))
    add = 0.0
    if "attention_mask" in feeds:
        add = (1.0 - feeds["attention_mask"][:, None, None, :].astype(np.float64)) * FLOAT_MIN
    for i in range(cfg["n_layer"]):
        L = f"transformer.h.{i}."
        qkv = conv(ln(x, L + "ln_1"), L + "attn.c_attn")
        heads = lambda t: t.reshape(B, S, nh, hd).transpose(0, 2, 1, 3)
        q, k, v = (heads(t) for t in np.split(qkv, 3, axis=-1))
        s = q @ k.transpose(0, 1, 3, 2) / math.sqrt(hd)
        s = np.where(causal, s, FLOAT_MIN) + add
        # float32 as the model computes it: s + finfo.min rounds to finfo.min
        # (so a row with every key masked is uniform), finfo.min twice to -inf
        with np.errstate(over="ignore"):
            s = s.astype(np.float32).astype(np.float64)
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        c = (s @ v).transpose(0, 2, 1, 3).reshape(B, S, d)
        x = x + conv(c, L + "attn.c_proj")
        h = conv(ln(x, L + "ln_2"), L + "mlp.c_fc")
        h = 0.5 * h * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (h + 0.044715 * h ** 3)))
        x = x + conv(h, L + "mlp.c_proj")
    x = ln(x, "transformer.ln_f")
    return {"logits": x @ f("transformer.wte.weight").T}


def sample_inputs(cfg, batch, seq, seed, with_mask):
    """Random token ids; with a mask, left padding (as batched generation
    pads GPT-2) with a per-row length (row 0 full) and pad id 0."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, cfg["vocab"], size=(batch, seq)).astype(np.int64)
    feeds = {"input_ids": ids}
    if with_mask:
        mask = np.zeros((batch, seq), np.int64)
        for b in range(batch):
            n = seq if b == 0 else int(rng.integers(1, seq + 1))
            mask[b, seq - n:] = 1
            ids[b, :seq - n] = 0
        feeds["attention_mask"] = mask
    return feeds


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--output", default="gpt2.onnx", help="model file to write")
    ap.add_argument("--n-layer", type=int, default=2)
    ap.add_argument("--n-head", type=int, default=4)
    ap.add_argument("--d-model", type=int, default=128)
    ap.add_argument("--vocab", type=int, default=1000)
    ap.add_argument("--n-ctx", type=int, default=128,
                    help="max positions: rows of wpe and size of the causal `bias` buffer")
    ap.add_argument("--weights-seed", type=int, default=0, help="seed of the random weights")
    ap.add_argument("--weights", metavar="FILE.npz",
                    help="trained weights instead of random ones: an .npz with the tensors under "
                         "the names make_weights() produces (Conv1D weights [in, out]); "
                         "--n-layer, --d-model, --vocab and --n-ctx are then read from the "
                         "shapes, --n-head must match the model")
    ap.add_argument("--opset", type=int, default=17, choices=range(14, 21), metavar="{14..20}",
                    help="default 17; below 17 LayerNorm is decomposed, from 18 ReduceMean takes "
                         "axes as an input")
    ap.add_argument("--layernorm", choices=["fused", "decomposed"], default="fused",
                    help="LayerNormalization (opset 17+), or the ReduceMean/Sub/Pow/ReduceMean/"
                         "Add/Sqrt/Div/Mul/Add chain of exports below opset 17")
    ap.add_argument("--gelu", choices=["tanh", "fused"], default="tanh",
                    help="tanh: gelu_new written out (Mul/Pow/Mul/Add/Mul/Tanh/Add/Mul); "
                         "fused: opset 20's Gelu(approximate='tanh') (needs --opset 20)")
    ap.add_argument("--attention", choices=["eager", "sdpa"], default="eager",
                    help="eager: GPT2Attention._attn (MatMul, Div, causal Where, Softmax, "
                         "MatMul); sdpa: GPT2SdpaAttention through torch's "
                         "scaled_dot_product_attention(is_causal=True) export (Shape/Slice/"
                         "Cast/Sqrt scale, Expand/Trilu/Equal/Where -inf mask); not with "
                         "--attention-mask")
    ap.add_argument("--causal-mask", choices=["slice", "trilu"], default="slice",
                    help="slice: Slice the bool `bias` buffer (HF GPT-2); trilu: "
                         "ConstantOfShape/Trilu/Cast to bool; both then Where")
    ap.add_argument("--conv1d", choices=["gemm", "matmul"], default="gemm",
                    help="gemm: Reshape to 2-D, Gemm(alpha=1, beta=1), Reshape back (torch's "
                         "export of Conv1D's addmm); matmul: 3-D MatMul + Add")
    ap.add_argument("--lm-head", choices=["folded", "transpose"], default="folded",
                    help="folded: wte^T as its own initializer (torch's constant folding); "
                         "transpose: a Transpose node over the shared wte")
    ap.add_argument("--attention-mask", action="store_true",
                    help="add the attention_mask input ((1 - mask) * finfo.min added to "
                         "the scores)")
    ap.add_argument("--external-data", action="store_true",
                    help="store the weights as ONNX external data in OUTPUT.data")
    ap.add_argument("--emit-inputs", metavar="DIR", help="write sample inputs NAME.npy to DIR")
    ap.add_argument("--batch", type=int, default=2, help="sample inputs' batch (default 2)")
    ap.add_argument("--seq", type=int, default=16,
                    help="sample inputs' sequence length (default 16)")
    ap.add_argument("--seed", type=int, default=0, help="sample inputs' seed")
    ap.add_argument("--check", action="store_true",
                    help="compare onnxruntime with the numpy reference; exit 1 on a mismatch")
    args = ap.parse_args()
    if args.d_model % args.n_head:
        ap.error("--d-model must be a multiple of --n-head")
    if args.gelu == "fused" and args.opset < 20:
        ap.error("--gelu fused needs --opset 20")
    if args.attention == "sdpa" and args.attention_mask:
        ap.error("--attention sdpa writes the is_causal=True path, without attention_mask")
    t0 = time.time()
    if args.weights:
        try:
            cfg, w = load_weights(args.weights, args.n_head)
        except (OSError, ValueError) as e:
            ap.error(str(e))
        args.n_layer, args.d_model, args.vocab, args.n_ctx = (
            cfg["n_layer"], cfg["d_model"], cfg["vocab"], cfg["n_ctx"])
    if args.seq > args.n_ctx:
        ap.error("--seq exceeds --n-ctx")
    if not args.weights:
        cfg = {"n_layer": args.n_layer, "n_head": args.n_head, "d_model": args.d_model,
               "vocab": args.vocab, "n_ctx": args.n_ctx}
        w = make_weights(cfg, args.weights_seed)
    model = build_gpt2(cfg, w, args)
    onnx.checker.check_model(model, full_check=True)
    out = os.path.abspath(args.output)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    if args.external_data:
        data = os.path.basename(out) + ".data"
        if os.path.exists(os.path.join(os.path.dirname(out), data)):
            os.remove(os.path.join(os.path.dirname(out), data))
        onnx.save_model(model, out, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=data, size_threshold=1024)
    else:
        onnx.save_model(model, out)
    t1 = time.time()
    nparams = sum(int(np.prod(i.dims)) for i in model.graph.initializer)
    print(f"make_gpt2: wrote {out} ({len(model.graph.node)} nodes, {nparams} weights, "
          f"opset {args.opset}, {args.n_layer} layers, d={args.d_model}, {args.n_head} heads, "
          f"vocab {args.vocab}, n_ctx {args.n_ctx}) in {t1 - t0:.2f}s")
    if args.emit_inputs:
        os.makedirs(args.emit_inputs, exist_ok=True)
        feeds = sample_inputs(cfg, args.batch, args.seq, args.seed, args.attention_mask)
        for name, value in feeds.items():
            np.save(os.path.join(args.emit_inputs, name + ".npy"), value)
        print(f"make_gpt2: wrote {', '.join(n + '.npy' for n in feeds)} "
              f"[{args.batch}x{args.seq}] to {args.emit_inputs}")
    if args.check:
        import onnxruntime as ort
        sess = ort.InferenceSession(out, providers=["CPUExecutionProvider"])
        feeds = sample_inputs(cfg, args.batch, args.seq, args.seed, args.attention_mask)
        got = sess.run(["logits"], feeds)[0]
        ref = gpt2_reference(cfg, w, feeds)["logits"]
        err = np.abs(got.astype(np.float64) - ref)
        ok = bool(np.allclose(got, ref, rtol=1e-3, atol=1e-4))
        print(f"check: logits {list(got.shape)} onnxruntime vs numpy float64 reference: "
              f"max_abs_err={err.max():.3e} (max |value| {np.abs(ref).max():.3g}) "
              f"{'ok' if ok else 'MISMATCH'}")
        # causality: changing the last token leaves every earlier position
        # alone (every earlier unpadded one: a padded position's row has all
        # its past keys masked, and float32 rounding lets it see the future,
        # as in Hugging Face's GPT-2)
        if args.seq > 1:
            other = {k: v.copy() for k, v in feeds.items()}
            other["input_ids"][:, -1] = (other["input_ids"][:, -1] + 1) % cfg["vocab"]
            got2 = sess.run(["logits"], other)[0]
            keep = feeds.get("attention_mask", np.ones_like(feeds["input_ids"]))[:, :-1] == 1
            causal = bool(np.array_equal(got2[:, :-1][keep], got[:, :-1][keep]))
            ok &= causal
            print(f"check: changing the last token leaves earlier logits unchanged: "
                  f"{'ok' if causal else 'MISMATCH'}")
        print(f"make_gpt2: check {'passed' if ok else 'FAILED'} ({time.time() - t1:.2f}s)")
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
