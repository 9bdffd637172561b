"""Fidelity metrics (COMPRESSION.md's δ) between a reference model's outputs
and a compressed model's, with numpy only. Every function takes arrays of the
same shape; "rows" are the vectors along the last axis.

    rel_l2(ref, out)       ‖out − ref‖ / ‖ref‖ (0 when identical)
    mean_cosine(ref, out)  mean over rows of cos(ref_row, out_row) (1 when identical)
    mean_kl(ref, out)      mean over rows of KL(softmax(ref) ‖ softmax(out)), logits
    top1_agreement(ref, out) share of rows whose argmax agrees, logits
    perplexity(logits, targets) exp(mean NLL of targets under softmax(logits))

The same definitions as the compiler's own measurement
(lib/FactorizeDriver, docs/Factorize.md).
"""
import math

import numpy as np


def _rows(x):
    x = np.asarray(x, dtype=np.float64)
    return x.reshape(-1, x.shape[-1]) if x.ndim else x.reshape(1, 1)


def rel_l2(ref, out):
    ref = np.asarray(ref, dtype=np.float64)
    out = np.asarray(out, dtype=np.float64)
    norm = np.linalg.norm(ref)
    diff = np.linalg.norm(out - ref)
    return float(diff / norm) if norm > 0 else float(diff)


def mean_cosine(ref, out):
    a, b = _rows(ref), _rows(out)
    na, nb = np.linalg.norm(a, axis=1), np.linalg.norm(b, axis=1)
    dots = (a * b).sum(1)
    cos = np.where((na > 0) & (nb > 0), dots / np.maximum(na * nb, 1e-300),
                   np.where(na == nb, 1.0, 0.0))
    return float(cos.mean())


def log_softmax(x):
    x = np.asarray(x, dtype=np.float64)
    m = x.max(-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(-1, keepdims=True))


def mean_kl(ref, out):
    lp, lq = log_softmax(_rows(ref)), log_softmax(_rows(out))
    kl = (np.exp(lp) * (lp - lq)).sum(1)
    return float(np.maximum(kl, 0).mean())


def top1_agreement(ref, out):
    a, b = _rows(ref), _rows(out)
    return float((a.argmax(1) == b.argmax(1)).mean())


def perplexity(logits, targets):
    """logits [..., V], targets [...] (ints): exp of the mean negative
    log-likelihood of the targets."""
    lp = log_softmax(logits)
    t = np.asarray(targets, dtype=np.int64)
    nll = -np.take_along_axis(lp, t[..., None], -1).mean()
    return float(math.exp(nll))


def fidelity(ref, out, logits=False):
    """All metrics of one output as a dict (KL and top-1 for logits only)."""
    d = {"rel_l2": rel_l2(ref, out), "cosine": mean_cosine(ref, out),
         "max_abs": float(np.abs(np.asarray(out, np.float64) -
                                 np.asarray(ref, np.float64)).max())}
    if logits:
        d["kl"] = mean_kl(ref, out)
        d["top1"] = top1_agreement(ref, out)
    return d
