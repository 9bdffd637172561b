//===- Tensor.h - Host tensors and their file formats -----------*- C++ -*-===//
//
// What facet-run (and tests) feed to compiled models: a dense row-major
// tensor, read from or written to `.npy` files, or read from ONNX
// TensorProto `.pb` files (the format of ONNX's backend test data).
// Independent of MLIR and LLVM.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_TENSOR_H
#define FACET_RUNTIME_TENSOR_H

#include <cstdint>
#include <string>
#include <vector>

namespace onnx {
class TensorProto;
} // namespace onnx

namespace facet::runtime {

/// Success, or an error message naming the file and the reason.
struct Status {
  bool ok = true;
  std::string message;
  static Status success() { return {}; }
  static Status error(std::string msg) { return {false, std::move(msg)}; }
  explicit operator bool() const { return ok; }
};

/// Size in bytes of one element of an ONNX data type; 0 if unsupported.
size_t dtypeSize(int32_t dtype);
/// "float32", "int64", ... for an ONNX data type.
const char *dtypeName(int32_t dtype);

struct Tensor {
  int32_t dtype = 0; // ONNX TensorProto.DataType
  std::vector<int64_t> shape;
  std::vector<char> data; // numElements() * dtypeSize(dtype) bytes

  int64_t numElements() const;
  /// Element `i` converted to double (bool as 0/1).
  double elementAsDouble(int64_t i) const;
};

Status readNpy(const std::string &path, Tensor &tensor);
Status writeNpy(const std::string &path, const Tensor &tensor);
/// Reads a serialized onnx.TensorProto; `name` receives its name if given.
Status readTensorProto(const std::string &path, Tensor &tensor,
                       std::string *name = nullptr);
/// Decodes a TensorProto's data (raw_data or the typed fields) into `tensor`,
/// checking dims against the data before allocating. `what` names the tensor
/// in messages (e.g. "initializer 'w'"). Shared by the ONNX importer.
Status decodeTensorProto(const onnx::TensorProto &proto,
                         const std::string &what, Tensor &tensor);
/// Picks the reader from the extension: `.npy` or `.pb`.
Status readTensorFile(const std::string &path, Tensor &tensor);

} // namespace facet::runtime

#endif // FACET_RUNTIME_TENSOR_H
