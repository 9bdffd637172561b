#!/usr/bin/env python3
"""Builds an ONNX model file from ONNX's textual syntax (onnx.parser).

Lit tests keep their model inline: every line of the test file that starts
with `# ` or is outside comment lines is ONNX text; lines starting with `//`
(RUN/CHECK lines) are dropped. Usage: onnx_from_text.py IN -o OUT
"""
import argparse
import sys

import onnx
import onnx.parser


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--no-check", action="store_true",
                    help="skip onnx.checker (for deliberately broken models)")
    ap.add_argument("--unnamed", action="store_true",
                    help="leave nodes unnamed (by default each node is named "
                         "after its first output, as many exporters do)")
    ap.add_argument("--truncate", type=int, default=None,
                    help="write only the first N bytes (a truncated file)")
    args = ap.parse_args()
    lines = [l for l in open(args.input) if not l.lstrip().startswith("//")]
    model = onnx.parser.parse_model("".join(lines))
    if not args.unnamed:
        for node in model.graph.node:
            if not node.name and node.output:
                node.name = node.output[0]
    if not args.no_check:
        onnx.checker.check_model(model)
    data = model.SerializeToString()
    if args.truncate is not None:
        data = data[:args.truncate]
    with open(args.output, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    sys.exit(main())
