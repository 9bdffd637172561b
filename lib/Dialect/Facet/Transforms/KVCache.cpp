//===- KVCache.cpp - Decode mode: a static key/value cache per attention --===//

#include "facet/Dialect/Facet/Transforms/Passes.h"

namespace facet {
#define GEN_PASS_DEF_KVCACHE
#include "facet/Dialect/Facet/Transforms/Passes.h.inc"
} // namespace facet

using namespace mlir;

namespace {
struct KVCachePass : facet::impl::KVCacheBase<KVCachePass> {
  using KVCacheBase::KVCacheBase;
  void runOnOperation() override { signalPassFailure(); }
};
} // namespace
