"""Byte-level BPE tokenizer of the tinygpt model, in pure Python (no torch,
no numpy needed; `encode_np` returns numpy arrays when numpy is there).

The scheme is GPT-2's without its byte-to-unicode table: text is split into
pieces by a regular expression (words with their leading space, runs of
digits, runs of punctuation, whitespace), each piece is encoded as UTF-8
bytes, and the bytes are merged by the learned merges in rank order, never
across pieces. Token ids 0..255 are the bytes themselves; id 256 + i is the
i-th merge. Any text (any bytes) round-trips: decode(encode(s)) == s.

tokenizer.json:
  {"type": "byte-level-bpe", "vocab_size": N, "pattern": REGEX,
   "merges": [[left_id, right_id], ...],        # N - 256 pairs, in rank order
   "tokens": ["...", ...]}                      # each id's bytes, for reading only
                                                # (latin-1, so any byte is one char)

`train_bpe(text, vocab_size)` learns the merges (used by train.py).
"""
import json
import re
from collections import Counter

# GPT-2's pre-tokenizer, with Python `re` classes: [^\W\d_] is a letter.
PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?[^\s\w]+|_+|\s+(?!\S)|\s+"""


class Tokenizer:
    def __init__(self, merges, pattern=PATTERN):
        self.merges = [tuple(m) for m in merges]
        self.ranks = {pair: i for i, pair in enumerate(self.merges)}
        self.pattern = pattern
        self._re = re.compile(pattern)
        self.vocab = [bytes([i]) for i in range(256)]
        for a, b in self.merges:
            self.vocab.append(self.vocab[a] + self.vocab[b])
        self._cache = {}

    @property
    def vocab_size(self):
        return len(self.vocab)

    @classmethod
    def load(cls, path):
        with open(path, encoding="utf-8") as f:
            spec = json.load(f)
        if spec.get("type") != "byte-level-bpe":
            raise ValueError(f"{path}: not a byte-level-bpe tokenizer")
        tok = cls(spec["merges"], spec.get("pattern", PATTERN))
        if tok.vocab_size != spec["vocab_size"]:
            raise ValueError(f"{path}: vocab_size {spec['vocab_size']} but "
                             f"{tok.vocab_size} tokens from the merges")
        return tok

    def save(self, path):
        spec = {"type": "byte-level-bpe", "vocab_size": self.vocab_size,
                "pattern": self.pattern,
                "merges": [list(m) for m in self.merges],
                "tokens": [t.decode("latin-1") for t in self.vocab]}
        with open(path, "w", encoding="utf-8") as f:
            json.dump(spec, f, ensure_ascii=True, indent=0)
            f.write("\n")

    def _encode_piece(self, piece):
        ids = self._cache.get(piece)
        if ids is not None:
            return ids
        ids = list(piece.encode("utf-8"))
        while len(ids) > 1:
            best, best_rank = None, None
            for i in range(len(ids) - 1):
                r = self.ranks.get((ids[i], ids[i + 1]))
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = i, r
            if best is None:
                break
            new = 256 + best_rank
            pair = self.merges[best_rank]
            out, i = [], 0
            while i < len(ids):  # merge every occurrence of the best pair
                if i < len(ids) - 1 and (ids[i], ids[i + 1]) == pair:
                    out.append(new)
                    i += 2
                else:
                    out.append(ids[i])
                    i += 1
            ids = out
        if len(self._cache) < 200000:
            self._cache[piece] = ids
        return ids

    def encode(self, text):
        """str -> list of token ids."""
        out = []
        for piece in self._re.findall(text):
            out.extend(self._encode_piece(piece))
        return out

    def encode_np(self, text):
        import numpy as np
        return np.array(self.encode(text), dtype=np.int64)

    def decode_bytes(self, ids):
        return b"".join(self.vocab[int(i)] for i in ids)

    def decode(self, ids):
        """token ids -> str (a sequence cut inside a UTF-8 character decodes
        with U+FFFD there)."""
        return self.decode_bytes(ids).decode("utf-8", errors="replace")


def train_bpe(text, vocab_size, pattern=PATTERN, verbose=False):
    """Learns vocab_size - 256 merges from text: the most frequent adjacent
    pair (ties broken by the smaller pair of ids, so the result is
    deterministic) is merged, over the pieces' counts, until the vocabulary
    is full. Returns a Tokenizer."""
    if vocab_size < 256:
        raise ValueError("vocab_size must be at least 256")
    counts = Counter(re.findall(pattern, text))
    words = [list(p.encode("utf-8")) for p in counts]
    freq = [counts[p] for p in counts]
    pairs = Counter()
    where = {}  # pair -> set of word indices containing it
    for wi, w in enumerate(words):
        for pair in zip(w, w[1:]):
            pairs[pair] += freq[wi]
            where.setdefault(pair, set()).add(wi)
    merges = []
    while 256 + len(merges) < vocab_size and pairs:
        top = max(pairs.values())
        if top < 2:
            break
        pair = min(p for p, c in pairs.items() if c == top)
        new = 256 + len(merges)
        merges.append(pair)
        for wi in list(where.get(pair, ())):
            w, f = words[wi], freq[wi]
            for p in zip(w, w[1:]):  # remove this word's old pairs
                pairs[p] -= f
                if pairs[p] == 0:
                    del pairs[p]
            out, i = [], 0
            while i < len(w):
                if i < len(w) - 1 and (w[i], w[i + 1]) == pair:
                    out.append(new)
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            words[wi] = out
            for p in zip(out, out[1:]):
                pairs[p] += f
                where.setdefault(p, set()).add(wi)
        where.pop(pair, None)
        pairs.pop(pair, None)
        if verbose and len(merges) % 128 == 0:
            print(f"bpe: {len(merges)} merges, last {bytes_of(merges, pair)!r} x{top}")
    return Tokenizer(merges, pattern)


def bytes_of(merges, pair):
    def b(i):
        return bytes([i]) if i < 256 else b(merges[i - 256][0]) + b(merges[i - 256][1])
    return b(pair[0]) + b(pair[1])
