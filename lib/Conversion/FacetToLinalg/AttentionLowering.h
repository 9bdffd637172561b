//===- AttentionLowering.h - facet.attention as a fused kernel --*- C++ -*-===//
#ifndef FACET_LIB_CONVERSION_FACETTOLINALG_ATTENTIONLOWERING_H
#define FACET_LIB_CONVERSION_FACETTOLINALG_ATTENTIONLOWERING_H

#include "mlir/IR/PatternMatch.h"

namespace facet {
/// facet.attention -> a tiled online-softmax loop nest (scf + vector on
/// tensors) and linalg.generics that lay out the keys and values.
/// `vectorLanes`: f32 lanes per vector register of the target.
void populateAttentionLoweringPatterns(mlir::RewritePatternSet &patterns,
                                       int64_t vectorLanes = 8);
} // namespace facet

#endif
