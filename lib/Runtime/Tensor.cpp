//===- Tensor.cpp - Host tensors and their file formats -------------------===//

#include "facet/Runtime/Tensor.h"

#include "onnx/onnx_pb.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

using namespace facet::runtime;

namespace {
struct DtypeInfo {
  int32_t dtype;
  const char *name;
  size_t size; // 0: Facet has no host representation for it
};
// Every ONNX TensorProto.DataType, so that messages can name any of them.
const DtypeInfo kDtypes[] = {
    {onnx::TensorProto::FLOAT, "float32", 4},
    {onnx::TensorProto::UINT8, "uint8", 1},
    {onnx::TensorProto::INT8, "int8", 1},
    {onnx::TensorProto::UINT16, "uint16", 0},
    {onnx::TensorProto::INT16, "int16", 2},
    {onnx::TensorProto::INT32, "int32", 4},
    {onnx::TensorProto::INT64, "int64", 8},
    {onnx::TensorProto::STRING, "string", 0},
    {onnx::TensorProto::BOOL, "bool", 1},
    {onnx::TensorProto::FLOAT16, "float16", 2},
    {onnx::TensorProto::DOUBLE, "float64", 8},
    {onnx::TensorProto::UINT32, "uint32", 0},
    {onnx::TensorProto::UINT64, "uint64", 0},
    {onnx::TensorProto::COMPLEX64, "complex64", 0},
    {onnx::TensorProto::COMPLEX128, "complex128", 0},
    {onnx::TensorProto::BFLOAT16, "bfloat16", 2},
};
const DtypeInfo *findDtype(int32_t dtype) {
  for (const DtypeInfo &d : kDtypes)
    if (d.dtype == dtype)
      return &d;
  return nullptr;
}
} // namespace

size_t facet::runtime::dtypeSize(int32_t dtype) {
  const DtypeInfo *d = findDtype(dtype);
  return d ? d->size : 0;
}

const char *facet::runtime::dtypeName(int32_t dtype) {
  const DtypeInfo *d = findDtype(dtype);
  return d ? d->name : "unknown";
}

int64_t Tensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

double Tensor::elementAsDouble(int64_t i) const {
  const char *p = data.data() + i * dtypeSize(dtype);
  switch (dtype) {
  case onnx::TensorProto::FLOAT: {
    float v;
    memcpy(&v, p, 4);
    return v;
  }
  case onnx::TensorProto::DOUBLE: {
    double v;
    memcpy(&v, p, 8);
    return v;
  }
  case onnx::TensorProto::INT64: {
    int64_t v;
    memcpy(&v, p, 8);
    return double(v);
  }
  case onnx::TensorProto::INT32: {
    int32_t v;
    memcpy(&v, p, 4);
    return v;
  }
  case onnx::TensorProto::INT16: {
    int16_t v;
    memcpy(&v, p, 2);
    return v;
  }
  case onnx::TensorProto::INT8:
    return static_cast<int8_t>(*p);
  case onnx::TensorProto::UINT8:
    return static_cast<uint8_t>(*p);
  case onnx::TensorProto::BOOL:
    return *p ? 1.0 : 0.0;
  case onnx::TensorProto::BFLOAT16: {
    uint16_t h;
    memcpy(&h, p, 2);
    uint32_t bits = uint32_t(h) << 16;
    float v;
    memcpy(&v, &bits, 4);
    return v;
  }
  case onnx::TensorProto::FLOAT16: {
    uint16_t h;
    memcpy(&h, p, 2);
    int exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    double v = exp == 0    ? std::ldexp(mant, -24)
               : exp == 31 ? (mant ? NAN : INFINITY)
                           : std::ldexp(mant + 1024, exp - 25);
    return (h & 0x8000) ? -v : v;
  }
  default:
    return 0;
  }
}

static Status readFile(const std::string &path, std::string &bytes) {
  // A directory opens fine as a stream and reads as empty: say what it is.
  struct stat st;
  if (stat(path.c_str(), &st) != 0)
    return Status::error("cannot read '" + path + "': " + strerror(errno));
  if (S_ISDIR(st.st_mode))
    return Status::error("cannot read '" + path + "': it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::error("cannot read '" + path + "': " + strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  bytes = ss.str();
  return Status::success();
}

/// Checks shape sanity and returns the byte size, or -1.
static int64_t byteSize(const std::vector<int64_t> &shape, size_t elemSize) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d != 0 && n > (int64_t(1) << 40) / d))
      return -1;
    n *= d;
  }
  return n * static_cast<int64_t>(elemSize);
}

//===----------------------------------------------------------------------===//
// .npy (https://numpy.org/neps/nep-0001-npy-format.html)
//===----------------------------------------------------------------------===//

static const struct {
  const char *descr;
  int32_t dtype;
} kNpyTypes[] = {
    {"<f4", onnx::TensorProto::FLOAT},   {"<f8", onnx::TensorProto::DOUBLE},
    {"<f2", onnx::TensorProto::FLOAT16}, {"<i8", onnx::TensorProto::INT64},
    {"<i4", onnx::TensorProto::INT32},   {"<i2", onnx::TensorProto::INT16},
    {"|i1", onnx::TensorProto::INT8},    {"|u1", onnx::TensorProto::UINT8},
    {"|b1", onnx::TensorProto::BOOL},
};

/// Value of `key` in the header dict, up to the next top-level comma.
static bool headerField(const std::string &header, const std::string &key,
                        std::string &value) {
  size_t pos = header.find("'" + key + "'");
  if (pos == std::string::npos)
    return false;
  pos = header.find(':', pos);
  if (pos == std::string::npos)
    return false;
  ++pos;
  while (pos < header.size() && isspace(header[pos]))
    ++pos;
  size_t end = pos;
  int depth = 0;
  while (end < header.size()) {
    char c = header[end];
    if (c == '(')
      ++depth;
    else if (c == ')')
      --depth;
    else if ((c == ',' || c == '}') && depth == 0)
      break;
    ++end;
  }
  value = header.substr(pos, end - pos);
  while (!value.empty() && isspace(value.back()))
    value.pop_back();
  return true;
}

Status facet::runtime::readNpy(const std::string &path, Tensor &tensor) {
  std::string bytes;
  if (Status s = readFile(path, bytes); !s)
    return s;
  auto bad = [&](const std::string &why) {
    return Status::error("'" + path + "' is not a valid .npy file: " + why);
  };
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0)
    return bad("bad magic");
  int major = static_cast<uint8_t>(bytes[6]);
  size_t headerLen, offset;
  if (major == 1) {
    headerLen =
        static_cast<uint8_t>(bytes[8]) | (static_cast<uint8_t>(bytes[9]) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return bad("truncated header");
    headerLen = 0;
    for (int i = 0; i < 4; ++i)
      headerLen |= size_t(static_cast<uint8_t>(bytes[8 + i])) << (8 * i);
    offset = 12;
  } else {
    return bad("unsupported version " + std::to_string(major));
  }
  if (bytes.size() < offset + headerLen)
    return bad("truncated header");
  std::string header = bytes.substr(offset, headerLen);
  std::string descr, fortran, shapeText;
  if (!headerField(header, "descr", descr) ||
      !headerField(header, "fortran_order", fortran) ||
      !headerField(header, "shape", shapeText))
    return bad("header lacks descr, fortran_order or shape");
  if (fortran != "False")
    return bad("Fortran-ordered arrays are not supported");
  if (descr.size() >= 2 && (descr.front() == '\'' || descr.front() == '"'))
    descr = descr.substr(1, descr.size() - 2);
  if (descr == "<b1")
    descr = "|b1";
  tensor.dtype = 0;
  for (const auto &t : kNpyTypes)
    if (descr == t.descr)
      tensor.dtype = t.dtype;
  if (!tensor.dtype)
    return bad("unsupported dtype '" + descr + "'");
  tensor.shape.clear();
  if (shapeText.size() < 2 || shapeText.front() != '(' ||
      shapeText.back() != ')')
    return bad("malformed shape " + shapeText);
  std::stringstream dims(shapeText.substr(1, shapeText.size() - 2));
  std::string item;
  while (std::getline(dims, item, ',')) {
    size_t b = item.find_first_not_of(" \t");
    if (b == std::string::npos)
      continue;
    item = item.substr(b, item.find_last_not_of(" \tL") - b + 1);
    char *end = nullptr;
    long long d = strtoll(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || d < 0)
      return bad("malformed shape " + shapeText);
    tensor.shape.push_back(d);
  }
  int64_t size = byteSize(tensor.shape, dtypeSize(tensor.dtype));
  if (size < 0)
    return bad("absurd shape " + shapeText);
  size_t found = bytes.size() - offset - headerLen;
  if (found != static_cast<size_t>(size))
    return bad(std::string(found < static_cast<size_t>(size)
                               ? "truncated data: "
                               : "trailing bytes: ") +
               "expected " + std::to_string(size) + " bytes of data, found " +
               std::to_string(found));
  tensor.data.assign(bytes.begin() + offset + headerLen, bytes.end());
  return Status::success();
}

Status facet::runtime::writeNpy(const std::string &path, const Tensor &tensor) {
  const char *descr = nullptr;
  for (const auto &t : kNpyTypes)
    if (t.dtype == tensor.dtype)
      descr = t.descr;
  if (!descr)
    return Status::error("cannot write '" + path + "': element type " +
                         dtypeName(tensor.dtype) + " has no .npy equivalent");
  int64_t size = byteSize(tensor.shape, dtypeSize(tensor.dtype));
  if (size < 0 || static_cast<size_t>(size) != tensor.data.size())
    return Status::error("cannot write '" + path + "': the tensor holds " +
                         std::to_string(tensor.data.size()) +
                         " bytes, its type and shape need " +
                         std::to_string(size));
  std::string shape = "(";
  for (size_t i = 0; i < tensor.shape.size(); ++i)
    shape += std::to_string(tensor.shape[i]) + ",";
  if (tensor.shape.size() > 1)
    shape.pop_back();
  shape += ")";
  std::string header = std::string("{'descr': '") + descr +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad so that the data starts 64-byte aligned; the header ends in '\n'.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out)
    return Status::error("cannot write '" + path + "': " + strerror(errno));
  out.write("\x93NUMPY\x01\x00", 8);
  char len[2] = {static_cast<char>(header.size() & 0xff),
                 static_cast<char>(header.size() >> 8)};
  out.write(len, 2);
  out.write(header.data(), header.size());
  out.write(tensor.data.data(), tensor.data.size());
  if (!out)
    return Status::error("error while writing '" + path + "'");
  return Status::success();
}

//===----------------------------------------------------------------------===//
// ONNX TensorProto
//===----------------------------------------------------------------------===//

Status facet::runtime::decodeTensorProto(const onnx::TensorProto &proto,
                                         const std::string &what,
                                         Tensor &tensor) {
  if (proto.data_location() == onnx::TensorProto::EXTERNAL)
    return Status::error(what + " stores its data in an external file, which "
                                "is not supported here");
  if (proto.has_segment())
    return Status::error(what + " is segmented, which is not supported");
  tensor.dtype = proto.data_type();
  size_t elemSize = dtypeSize(tensor.dtype);
  if (!elemSize)
    return Status::error(what + " has element type " + dtypeName(tensor.dtype) +
                         ", which is not supported");
  tensor.shape.assign(proto.dims().begin(), proto.dims().end());
  for (int64_t d : tensor.shape)
    if (d < 0)
      return Status::error(what + " has a negative dimension " +
                           std::to_string(d));
  int64_t size = byteSize(tensor.shape, elemSize);
  if (size < 0)
    return Status::error(what + " has an absurd size (more than 2^40 "
                                "elements)");
  int64_t n = tensor.numElements();
  auto countError = [&](int64_t got) {
    return Status::error(what + " has " + std::to_string(got) +
                         " values but its dims hold " + std::to_string(n));
  };
  // Check before allocating: the counts come from the file.
  if (proto.has_raw_data()) {
    if (static_cast<int64_t>(proto.raw_data().size()) != size)
      return Status::error(what + " has " +
                           std::to_string(proto.raw_data().size()) +
                           " bytes of raw data but its dims and type need " +
                           std::to_string(size));
  } else {
    int64_t got;
    switch (tensor.dtype) {
    case onnx::TensorProto::FLOAT:
      got = proto.float_data_size();
      break;
    case onnx::TensorProto::DOUBLE:
      got = proto.double_data_size();
      break;
    case onnx::TensorProto::INT64:
      got = proto.int64_data_size();
      break;
    default: // int32, int16, int8, uint8, bool, float16, bfloat16
      got = proto.int32_data_size();
      break;
    }
    if (got != n)
      return countError(got);
  }
  tensor.data.resize(size);
  char *out = tensor.data.data();
  // Empty tensors have null buffers, which memcpy must not see.
  auto copy = [&](const void *src) {
    if (size)
      memcpy(out, src, size);
  };
  if (proto.has_raw_data()) {
    copy(proto.raw_data().data());
    return Status::success();
  }
  switch (tensor.dtype) {
  case onnx::TensorProto::FLOAT:
    copy(proto.float_data().data());
    break;
  case onnx::TensorProto::DOUBLE:
    copy(proto.double_data().data());
    break;
  case onnx::TensorProto::INT64:
    copy(proto.int64_data().data());
    break;
  default:
    for (int64_t i = 0; i < n; ++i) {
      int32_t v = proto.int32_data(static_cast<int>(i));
      memcpy(out + i * elemSize, &v, elemSize); // little-endian host
    }
    break;
  }
  return Status::success();
}

Status facet::runtime::readTensorProto(const std::string &path, Tensor &tensor,
                                       std::string *name) {
  std::string bytes;
  if (Status s = readFile(path, bytes); !s)
    return s;
  onnx::TensorProto proto;
  if (!proto.ParseFromString(bytes))
    return Status::error("'" + path + "' is not a serialized ONNX TensorProto");
  if (name)
    *name = proto.name();
  return decodeTensorProto(proto, "'" + path + "'", tensor);
}

Status facet::runtime::readTensorFile(const std::string &path, Tensor &tensor) {
  auto endsWith = [&](const char *suffix) {
    size_t n = strlen(suffix);
    return path.size() >= n && path.compare(path.size() - n, n, suffix) == 0;
  };
  if (endsWith(".npy"))
    return readNpy(path, tensor);
  if (endsWith(".pb"))
    return readTensorProto(path, tensor);
  return Status::error("'" + path +
                       "': unknown tensor file format (expected .npy or .pb)");
}
