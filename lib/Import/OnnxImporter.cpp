//===- OnnxImporter.cpp - ONNX model to facet dialect ---------------------===//
//
// One pass over the graph in its (required) topological order. Every check
// that can reject the model runs before any IR is built for it, and every
// error names what it is about: the file, the node (name and op), the value
// or the graph input.
//
//===----------------------------------------------------------------------===//

#include "facet/Import/OnnxImporter.h"

#include "facet/Conversion/Passes.h"
#include "facet/Dialect/Facet/IR/FacetOps.h"
#include "facet/Runtime/Tensor.h"

#include "OnnxOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/onnx_pb.h"
#include <google/protobuf/io/coded_stream.h>

#include <climits>

using namespace mlir;
using namespace facet;
using facet::runtime::dtypeName;

bool facet::parseShapeText(StringRef text, SmallVectorImpl<int64_t> &shape) {
  shape.clear();
  text = text.trim();
  if (text.empty() || text == "scalar")
    return true;
  SmallVector<StringRef> parts;
  text.split(parts, 'x');
  for (StringRef p : parts) {
    int64_t d;
    if (p.trim().getAsInteger(10, d) || d < 0)
      return false;
    shape.push_back(d);
  }
  return true;
}

namespace {

/// Refuses tensors whose element count overflows or is absurd before any
/// memory is allocated for them.
constexpr int64_t kMaxElements = int64_t(1) << 40;

class Importer {
public:
  Importer(MLIRContext &ctx, StringRef sourceName, const ImportOptions &opts)
      : ctx(ctx), b(&ctx), sourceName(sourceName.str()), opts(opts),
        fileLoc(FileLineColLoc::get(&ctx, sourceName, 0, 0)) {}

  /// Consumes the model: each initializer's bytes are freed once its
  /// constant holds them, so weights exist twice only one at a time.
  OwningOpRef<ModuleOp> run(onnx::ModelProto &model);

private:
  InFlightDiagnostic error() { return emitError(fileLoc); }

  /// MLIR element type for an ONNX data type, or null if unsupported.
  Type elementType(int32_t dtype) {
    switch (dtype) {
    case onnx::TensorProto::FLOAT:
      return b.getF32Type();
    case onnx::TensorProto::DOUBLE:
      return b.getF64Type();
    case onnx::TensorProto::FLOAT16:
      return b.getF16Type();
    case onnx::TensorProto::BFLOAT16:
      return b.getBF16Type();
    case onnx::TensorProto::INT8:
      return b.getIntegerType(8);
    case onnx::TensorProto::INT16:
      return b.getIntegerType(16);
    case onnx::TensorProto::INT32:
      return b.getI32Type();
    case onnx::TensorProto::INT64:
      return b.getI64Type();
    case onnx::TensorProto::BOOL:
      return b.getI1Type();
    default:
      return Type();
    }
  }

  LogicalResult checkDims(ArrayRef<int64_t> dims, StringRef what) {
    int64_t n = 1;
    for (int64_t d : dims) {
      if (d < 0)
        return error() << what << " has a negative dimension " << d;
      if (d != 0 && n > kMaxElements / d)
        return error() << what << " has an absurd size (more than 2^40 "
                       << "elements)";
      n *= d;
    }
    return success();
  }

  FailureOr<Attribute> tensorAttr(const onnx::TensorProto &t, StringRef what);
  FailureOr<std::unique_ptr<llvm::MemoryBuffer>>
  readExternal(const onnx::TensorProto &t, StringRef desc, int64_t bytes);
  FailureOr<RankedTensorType> inputType(const onnx::ValueInfoProto &vi);
  FailureOr<Attribute> boundInputAttr(const onnx::ValueInfoProto &vi,
                                      const runtime::Tensor &value);
  LogicalResult checkSupported(const onnx::GraphProto &g);
  LogicalResult importNode(const onnx::NodeProto &node, int index);
  LogicalResult checkDeclaredOutput(const onnx::ValueInfoProto &vi, Value v);

  Location nodeLoc(const onnx::NodeProto &node, int index) {
    std::string name = node.name().empty()
                           ? (node.op_type() + "#" + std::to_string(index))
                           : node.name();
    return NameLoc::get(b.getStringAttr(name), fileLoc);
  }
  std::string nodeDesc(const onnx::NodeProto &node, int index) {
    std::string name = node.name().empty() ? ("#" + std::to_string(index))
                                           : ("'" + node.name() + "'");
    return "node " + name + " (" + node.op_type() + ")";
  }

  MLIRContext &ctx;
  OpBuilder b;
  std::string sourceName;
  const ImportOptions &opts;
  Location fileLoc;
  int64_t opset = 0;
  llvm::StringMap<Value> values;
  llvm::StringMap<const onnx::TensorProto *> initializers;
  llvm::StringSet<> resourceNames;
};

/// Reads an external-data tensor's bytes, mapped from the file (no copy
/// until the resource blob takes one). The file must lie inside the model's
/// folder: relative location, no "..", and its real path (links resolved)
/// under the folder's real path.
FailureOr<std::unique_ptr<llvm::MemoryBuffer>>
Importer::readExternal(const onnx::TensorProto &t, StringRef desc,
                       int64_t bytes) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &kv : t.external_data()) {
    auto parseInt = [&](int64_t &out) -> LogicalResult {
      if (StringRef(kv.value()).getAsInteger(10, out) || out < 0)
        return error() << desc << ": external data " << kv.key() << " '"
                       << kv.value() << "' is not a non-negative integer";
      return success();
    };
    if (kv.key() == "location")
      location = kv.value();
    else if (kv.key() == "offset" && failed(parseInt(offset)))
      return failure();
    else if (kv.key() == "length" && failed(parseInt(length)))
      return failure();
  }
  if (location.empty())
    return error() << desc
                   << " stores its data externally but names no "
                      "location";
  if (opts.externalDataDir.empty())
    return error() << desc << " stores its data in '" << location
                   << "', but the model was not read from a file, so there "
                      "is no folder to read it from";
  namespace path = llvm::sys::path;
  if (path::is_absolute(location) || location.find('\0') != std::string::npos)
    return error() << desc << ": external data location '" << location
                   << "' is absolute; it must be relative to the model's "
                      "folder";
  for (StringRef part :
       llvm::make_range(path::begin(location), path::end(location)))
    if (part == "..")
      return error() << desc << ": external data location '" << location
                     << "' leaves the model's folder";
  SmallString<256> full(opts.externalDataDir);
  path::append(full, location);
  SmallString<256> realDir, realFile;
  if (llvm::sys::fs::real_path(opts.externalDataDir, realDir) ||
      llvm::sys::fs::real_path(full, realFile))
    return error() << desc << ": cannot open external data file '" << full
                   << "'";
  if (!StringRef(realFile).starts_with(realDir.str().str() + "/"))
    return error() << desc << ": external data location '" << location
                   << "' resolves to '" << realFile
                   << "', outside the model's folder";
  if (!llvm::sys::fs::is_regular_file(realFile))
    return error() << desc << ": external data '" << location
                   << "' is not a regular file";
  if (length >= 0 && length != bytes)
    return error() << desc << ": external data length " << length
                   << " does not match the " << bytes
                   << " bytes its dims and type need";
  uint64_t fileSize = 0;
  if (llvm::sys::fs::file_size(realFile, fileSize) ||
      static_cast<uint64_t>(offset + bytes) > fileSize)
    return error() << desc << ": external data file '" << location << "' has "
                   << fileSize << " bytes; reading " << bytes << " at offset "
                   << offset << " goes past its end";
  auto buffer = llvm::MemoryBuffer::getFileSlice(realFile, bytes, offset,
                                                 /*IsVolatile=*/false);
  if (!buffer)
    return error() << desc << ": cannot read external data '" << location
                   << "': " << buffer.getError().message();
  return std::move(*buffer);
}

FailureOr<Attribute> Importer::tensorAttr(const onnx::TensorProto &t,
                                          StringRef what) {
  std::string desc = (what + " '" + t.name() + "'").str();
  Type elemTy = elementType(t.data_type());
  if (!elemTy)
    return error() << desc << " has element type " << dtypeName(t.data_type())
                   << ", which Facet does not support";
  SmallVector<int64_t> dims(t.dims().begin(), t.dims().end());
  if (failed(checkDims(dims, desc)))
    return failure();
  auto type = RankedTensorType::get(dims, elemTy);
  int64_t numel = type.getNumElements();
  int64_t bytes =
      numel * static_cast<int64_t>(runtime::dtypeSize(t.data_type()));

  // The bytes of the tensor, without copies where possible: external data is
  // mapped from its file, raw_data is read in place; only the typed fields
  // are decoded into a buffer.
  ArrayRef<char> raw;
  std::unique_ptr<llvm::MemoryBuffer> mapped;
  runtime::Tensor decoded;
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    auto buffer = readExternal(t, desc, bytes);
    if (failed(buffer))
      return failure();
    mapped = std::move(*buffer);
    raw = ArrayRef<char>(mapped->getBufferStart(), mapped->getBufferSize());
  } else if (t.has_raw_data() && !t.has_segment()) {
    if (static_cast<int64_t>(t.raw_data().size()) != bytes)
      return error() << desc << " has " << t.raw_data().size()
                     << " bytes of raw data but its dims and type need "
                     << bytes;
    raw = ArrayRef<char>(t.raw_data().data(), t.raw_data().size());
  } else {
    // The runtime's decoder checks counts against dims before allocating.
    runtime::Status status = runtime::decodeTensorProto(t, desc, decoded);
    if (!status)
      return error() << status.message;
    raw = ArrayRef<char>(decoded.data.data(), decoded.data.size());
  }

  if (elemTy.isInteger(1)) {
    SmallVector<bool> bools(numel);
    for (int64_t i = 0; i < numel; ++i)
      bools[i] = raw[i] != 0;
    return Attribute(DenseElementsAttr::get(type, bools));
  }
  if (numel <= opts.inlineElementLimit) {
    bool detectedSplat = false;
    if (!DenseElementsAttr::isValidRawBuffer(type, raw, detectedSplat))
      return error() << desc << " has malformed data";
    return Attribute(DenseElementsAttr::getFromRawBuffer(type, raw));
  }
  // Large weights: one aligned copy owned by the resource blob manager.
  std::string key;
  for (char c : t.name().empty() ? std::string("weight") : t.name())
    key.push_back(llvm::isAlnum(c) || c == '_' || c == '.' ? c : '_');
  if (!llvm::isAlpha(key[0]) && key[0] != '_')
    key.insert(key.begin(), '_');
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      raw, alignof(std::max_align_t));
  return Attribute(DenseResourceElementsAttr::get(type, key, std::move(blob)));
}

/// The constant a `--bind` value gives a graph input; its type must be the
/// input's declared element type and agree with the declared static dims.
FailureOr<Attribute>
Importer::boundInputAttr(const onnx::ValueInfoProto &vi,
                         const runtime::Tensor &value) {
  std::string name = vi.name();
  const auto &tt = vi.type().tensor_type();
  if (!vi.type().has_tensor_type() || value.dtype != tt.elem_type())
    return error() << "--bind " << name << ": the value is "
                   << dtypeName(value.dtype) << ", the input is declared "
                   << dtypeName(tt.elem_type());
  if (tt.has_shape()) {
    bool ok = tt.shape().dim_size() == static_cast<int>(value.shape.size());
    for (int i = 0; ok && i < tt.shape().dim_size(); ++i)
      ok = !tt.shape().dim(i).has_dim_value() ||
           tt.shape().dim(i).dim_value() == value.shape[i];
    if (!ok)
      return error() << "--bind " << name << ": the value's shape does not "
                                             "match the input's declared shape";
  }
  Type elemTy = elementType(value.dtype);
  auto type = RankedTensorType::get(value.shape, elemTy);
  ArrayRef<char> raw(value.data.data(), value.data.size());
  if (elemTy.isInteger(1)) {
    SmallVector<bool> bools;
    for (char c : raw)
      bools.push_back(c != 0);
    return Attribute(DenseElementsAttr::get(type, bools));
  }
  bool splat = false;
  if (!DenseElementsAttr::isValidRawBuffer(type, raw, splat))
    return error() << "--bind " << name << ": malformed value";
  return Attribute(DenseElementsAttr::getFromRawBuffer(type, raw));
}

FailureOr<RankedTensorType>
Importer::inputType(const onnx::ValueInfoProto &vi) {
  std::string name = vi.name();
  if (!vi.type().has_tensor_type())
    return error() << "graph input '" << name
                   << "' is not a tensor (sequences, maps and optionals are "
                      "not supported)";
  const auto &tt = vi.type().tensor_type();
  Type elemTy = elementType(tt.elem_type());
  if (!elemTy)
    return error() << "graph input '" << name << "' has element type "
                   << dtypeName(tt.elem_type())
                   << ", which Facet does not support";
  auto it = opts.inputShapes.find(name);
  if (!tt.has_shape() && it == opts.inputShapes.end())
    return error() << "graph input '" << name
                   << "' has no declared shape; give one with --shape " << name
                   << "=...";
  SmallVector<int64_t> shape;
  if (it != opts.inputShapes.end()) {
    shape = it->second;
    if (tt.has_shape()) {
      const auto &declared = tt.shape();
      if (declared.dim_size() != static_cast<int>(shape.size()))
        return error() << "--shape " << name << " has rank " << shape.size()
                       << " but the model declares rank "
                       << declared.dim_size();
      for (int i = 0; i < declared.dim_size(); ++i)
        if (declared.dim(i).has_dim_value() &&
            declared.dim(i).dim_value() != shape[i])
          return error() << "--shape " << name << " sets dimension " << i
                         << " to " << shape[i] << " but the model fixes it to "
                         << declared.dim(i).dim_value();
    }
  } else {
    for (int i = 0; i < tt.shape().dim_size(); ++i) {
      const auto &d = tt.shape().dim(i);
      if (!d.has_dim_value()) {
        auto diag = error() << "graph input '" << name << "' has dynamic "
                            << "dimension " << i;
        if (d.has_dim_param())
          diag << " ('" << d.dim_param() << "')";
        diag << "; fix it with --shape " << name << "=<d0>x<d1>x...";
        return diag;
      }
      shape.push_back(d.dim_value());
    }
  }
  if (failed(checkDims(shape, "graph input '" + name + "'")))
    return failure();
  return RankedTensorType::get(shape, elemTy);
}

LogicalResult Importer::checkSupported(const onnx::GraphProto &g) {
  SmallVector<std::string> unsupported;
  for (auto [i, node] : llvm::enumerate(g.node())) {
    bool defaultDomain = node.domain().empty() || node.domain() == "ai.onnx";
    if (!defaultDomain || !importer::onnxOpTable().count(node.op_type())) {
      std::string d = nodeDesc(node, i);
      if (!defaultDomain)
        d += " in domain '" + node.domain() + "'";
      unsupported.push_back(d);
    }
  }
  if (unsupported.empty())
    return success();
  auto diag = error() << unsupported.size() << " unsupported op"
                      << (unsupported.size() == 1 ? "" : "s") << ": ";
  llvm::interleave(unsupported, diag, ", ");
  return diag;
}

LogicalResult Importer::importNode(const onnx::NodeProto &node, int index) {
  std::string desc = nodeDesc(node, index);
  Location loc = nodeLoc(node, index);
  const importer::OpSpec &spec =
      importer::onnxOpTable().find(node.op_type())->second;
  importer::NodeContext c{b,
                          loc,
                          desc,
                          opset,
                          node,
                          {},
                          {},
                          [this](const onnx::TensorProto &t, StringRef what) {
                            return tensorAttr(t, what);
                          }};

  // Attributes: refuse any we do not understand rather than ignore it.
  for (const auto &a : node.attribute()) {
    if (!llvm::is_contained(spec.attributes, a.name()))
      return emitError(loc)
             << desc << ": unsupported attribute '" << a.name() << "'";
    if (a.has_ref_attr_name())
      return emitError(loc) << desc << ": attribute '" << a.name()
                            << "' refers to a function attribute, which is "
                               "not supported";
    c.attrs[a.name()] = &a;
  }
  // Operands; an empty name is an omitted optional input.
  for (const std::string &in : node.input()) {
    if (in.empty()) {
      c.operands.push_back(Value());
      continue;
    }
    auto it = values.find(in);
    if (it == values.end())
      return emitError(loc) << desc << ": input '" << in
                            << "' is not produced by any earlier node, graph "
                               "input or initializer (missing initializer, "
                               "unsorted graph or cycle)";
    c.operands.push_back(it->second);
  }
  while (!c.operands.empty() && !c.operands.back())
    c.operands.pop_back();
  if (node.output_size() == 0 || node.output(0).empty())
    return emitError(loc) << desc << " has no output";

  FailureOr<SmallVector<Value>> results = spec.handler(c);
  if (failed(results))
    return failure();
  if (results->size() < static_cast<size_t>(node.output_size()))
    return emitError(loc) << desc << " has " << node.output_size()
                          << " outputs; Facet computes " << results->size();
  for (auto [i, name] : llvm::enumerate(node.output()))
    if (!name.empty() && i < results->size())
      values[name] = (*results)[i];
  return success();
}

LogicalResult Importer::checkDeclaredOutput(const onnx::ValueInfoProto &vi,
                                            Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  if (!vi.type().has_tensor_type())
    return error() << "graph output '" << vi.name() << "' is not a tensor";
  const auto &tt = vi.type().tensor_type();
  if (tt.elem_type() != 0 &&
      elementType(tt.elem_type()) != type.getElementType())
    return error() << "graph output '" << vi.name() << "' is declared "
                   << dtypeName(tt.elem_type()) << " but computes " << type;
  if (!tt.has_shape())
    return success();
  if (tt.shape().dim_size() != type.getRank())
    return error() << "graph output '" << vi.name() << "' is declared with "
                   << "rank " << tt.shape().dim_size() << " but computes "
                   << type;
  for (int i = 0; i < tt.shape().dim_size(); ++i)
    if (tt.shape().dim(i).has_dim_value() &&
        tt.shape().dim(i).dim_value() != type.getDimSize(i))
      return error() << "graph output '" << vi.name() << "' declares "
                     << "dimension " << i << " = "
                     << tt.shape().dim(i).dim_value() << " but computes "
                     << type;
  return success();
}

int32_t onnxDtype(Type t) {
  if (t.isF32())
    return onnx::TensorProto::FLOAT;
  if (t.isF64())
    return onnx::TensorProto::DOUBLE;
  if (t.isF16())
    return onnx::TensorProto::FLOAT16;
  if (t.isBF16())
    return onnx::TensorProto::BFLOAT16;
  if (t.isInteger(1))
    return onnx::TensorProto::BOOL;
  if (t.isInteger(8))
    return onnx::TensorProto::INT8;
  if (t.isInteger(16))
    return onnx::TensorProto::INT16;
  if (t.isInteger(32))
    return onnx::TensorProto::INT32;
  if (t.isInteger(64))
    return onnx::TensorProto::INT64;
  return 0;
}

OwningOpRef<ModuleOp> Importer::run(onnx::ModelProto &model) {
  if (!model.has_graph() || model.ir_version() <= 0) {
    error() << "not an ONNX model (no graph or no IR version)";
    return nullptr;
  }
  for (const auto &o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx")
      opset = o.version();
  if (opset == 0 && model.ir_version() >= 3) {
    error() << "model imports no version of the default ONNX opset";
    return nullptr;
  }
  const onnx::GraphProto &g = model.graph();
  if (failed(checkSupported(g)))
    return nullptr;

  // --shape must name real inputs.
  llvm::StringSet<> inputNames;
  for (const auto &vi : g.input())
    inputNames.insert(vi.name());
  for (const auto &entry : opts.boundInputs)
    if (!inputNames.count(entry.getKey())) {
      auto diag = error() << "--bind names '" << entry.getKey()
                          << "', which is not an input of the model; inputs: ";
      llvm::interleaveComma(g.input(), diag,
                            [&](const auto &vi) { diag << vi.name(); });
      return nullptr;
    }
  for (const auto &entry : opts.inputShapes)
    if (!inputNames.count(entry.getKey())) {
      auto diag = error() << "--shape names '" << entry.getKey()
                          << "', which is not an input of the model; inputs: ";
      llvm::interleaveComma(g.input(), diag,
                            [&](const auto &vi) { diag << vi.name(); });
      return nullptr;
    }

  for (const auto &init : g.initializer()) {
    if (init.name().empty()) {
      error() << "an initializer has no name";
      return nullptr;
    }
    initializers[init.name()] = &init;
  }

  // Graph inputs that are also initializers are constants (IR < 4 style).
  SmallVector<const onnx::ValueInfoProto *> realInputs;
  SmallVector<Type> argTypes;
  SmallVector<std::pair<std::string, Attribute>> bound;
  for (const auto &vi : g.input()) {
    if (initializers.count(vi.name()))
      continue;
    auto b = opts.boundInputs.find(vi.name());
    if (b != opts.boundInputs.end()) {
      FailureOr<Attribute> attr = boundInputAttr(vi, b->second);
      if (failed(attr))
        return nullptr;
      bound.push_back({vi.name(), *attr});
      continue;
    }
    FailureOr<RankedTensorType> t = inputType(vi);
    if (failed(t))
      return nullptr;
    realInputs.push_back(&vi);
    argTypes.push_back(*t);
  }

  auto module = ModuleOp::create(fileLoc);
  OwningOpRef<ModuleOp> owner(module);
  b.setInsertionPointToEnd(module.getBody());
  auto func =
      func::FuncOp::create(b, fileLoc, "main", b.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);
  for (auto [vi, arg] : llvm::zip(realInputs, entry->getArguments()))
    values[vi->name()] = arg;
  for (auto &[name, attr] : bound)
    values[name] = facet::ConstantOp::create(
        b, NameLoc::get(b.getStringAttr(name), fileLoc), cast<TypedAttr>(attr));

  for (auto &init : *model.mutable_graph()->mutable_initializer()) {
    if (values.count(init.name()) && !initializers.count(init.name()))
      continue;
    FailureOr<Attribute> attr = tensorAttr(init, "initializer");
    if (failed(attr))
      return nullptr;
    Location loc = NameLoc::get(b.getStringAttr(init.name()), fileLoc);
    values[init.name()] =
        facet::ConstantOp::create(b, loc, cast<TypedAttr>(*attr)).getResult();
    // The constant owns a copy now: release the protobuf's.
    std::string().swap(*init.mutable_raw_data());
    init.clear_float_data();
    init.clear_int64_data();
    init.clear_int32_data();
    init.clear_double_data();
  }

  for (auto [i, node] : llvm::enumerate(g.node()))
    if (failed(importNode(node, static_cast<int>(i))))
      return nullptr;

  if (g.output_size() == 0) {
    error() << "the graph has no outputs";
    return nullptr;
  }
  SmallVector<Value> results;
  SmallVector<Attribute> inSig, outSig;
  for (const auto &vi : g.output()) {
    auto it = values.find(vi.name());
    if (it == values.end()) {
      error() << "graph output '" << vi.name()
              << "' is not produced by any node, input or initializer";
      return nullptr;
    }
    if (failed(checkDeclaredOutput(vi, it->second)))
      return nullptr;
    results.push_back(it->second);
  }
  func::ReturnOp::create(b, fileLoc, results);
  func.setFunctionType(
      b.getFunctionType(argTypes, ValueRange(results).getTypes()));

  auto sigEntry = [&](StringRef name, Type type) {
    return b.getDictionaryAttr(
        {b.getNamedAttr("name", b.getStringAttr(name)),
         b.getNamedAttr("type", TypeAttr::get(type)),
         b.getNamedAttr("dtype",
                        b.getI32IntegerAttr(onnxDtype(
                            cast<ShapedType>(type).getElementType())))});
  };
  for (auto [vi, t] : llvm::zip(realInputs, argTypes))
    inSig.push_back(sigEntry(vi->name(), t));
  for (auto [vi, v] : llvm::zip(g.output(), results))
    outSig.push_back(sigEntry(vi.name(), v.getType()));
  module->setAttr(
      kModelSignatureAttr,
      b.getDictionaryAttr({b.getNamedAttr("inputs", b.getArrayAttr(inSig)),
                           b.getNamedAttr("outputs", b.getArrayAttr(outSig))}));
  module->setAttr("facet.onnx_opset", b.getI64IntegerAttr(opset));
  if (failed(verify(module)))
    return nullptr;
  return owner;
}

} // namespace

static LogicalResult parseModel(StringRef bytes, Location loc,
                                onnx::ModelProto &model) {
  if (bytes.size() > static_cast<size_t>(INT_MAX))
    return emitError(loc) << "model file is larger than 2 GiB; protobuf "
                             "cannot parse it (store weights as external "
                             "data)";
  google::protobuf::io::CodedInputStream stream(
      reinterpret_cast<const uint8_t *>(bytes.data()),
      static_cast<int>(bytes.size()));
  stream.SetTotalBytesLimit(INT_MAX);
  if (!model.ParseFromCodedStream(&stream) || !stream.ConsumedEntireMessage())
    return emitError(loc) << "not a valid ONNX model: the protobuf cannot be "
                             "parsed (truncated or not an ONNX file)";
  return success();
}

OwningOpRef<ModuleOp> facet::importOnnxBytes(MLIRContext &context,
                                             StringRef bytes,
                                             StringRef sourceName,
                                             const ImportOptions &options) {
  context.loadDialect<FacetDialect, func::FuncDialect>();
  Location loc = FileLineColLoc::get(&context, sourceName, 0, 0);
  onnx::ModelProto model;
  if (failed(parseModel(bytes, loc, model)))
    return nullptr;
  Importer importer(context, sourceName, options);
  return importer.run(model);
}

OwningOpRef<ModuleOp> facet::importOnnxFile(MLIRContext &context,
                                            StringRef path,
                                            const ImportOptions &options) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    emitError(FileLineColLoc::get(&context, path, 0, 0))
        << "cannot read '" << path << "': " << buffer.getError().message();
    return nullptr;
  }
  // External data is read relative to the model's folder, and only there.
  ImportOptions withDir = options;
  if (withDir.externalDataDir.empty()) {
    SmallString<256> dir(path);
    llvm::sys::fs::make_absolute(dir);
    llvm::sys::path::remove_filename(dir);
    withDir.externalDataDir = dir.empty() ? "." : dir.str().str();
  }
  // Parse, then drop the file's bytes before building any constant.
  context.loadDialect<FacetDialect, func::FuncDialect>();
  onnx::ModelProto model;
  if (failed(parseModel((*buffer)->getBuffer(),
                        FileLineColLoc::get(&context, path, 0, 0), model)))
    return nullptr;
  buffer->reset();
  Importer importer(context, path, withDir);
  return importer.run(model);
}
