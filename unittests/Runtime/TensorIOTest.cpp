//===- TensorIOTest.cpp - .npy and TensorProto readers/writers ------------===//

#include "facet/Runtime/Tensor.h"

#include "onnx/onnx_pb.h"
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <unistd.h>

using namespace facet::runtime;

namespace {

std::string tempPath(const std::string &suffix) {
  static int counter = 0;
  const char *dir = getenv("TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/facet-tensorio-" +
         std::to_string(getpid()) + "-" + std::to_string(counter++) + suffix;
}

void writeBytes(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

template <typename T>
Tensor makeTensor(int32_t dtype, std::vector<int64_t> shape,
                  std::vector<T> values) {
  Tensor t;
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.data.resize(values.size() * sizeof(T));
  memcpy(t.data.data(), values.data(), t.data.size());
  return t;
}

struct RoundTrip : ::testing::TestWithParam<Tensor> {};

TEST_P(RoundTrip, NpyWriteThenReadIsIdentity) {
  const Tensor &t = GetParam();
  std::string path = tempPath(".npy");
  ASSERT_TRUE(writeNpy(path, t).ok);
  Tensor back;
  Status s = readNpy(path, back);
  ASSERT_TRUE(s.ok) << s.message;
  EXPECT_EQ(back.dtype, t.dtype);
  EXPECT_EQ(back.shape, t.shape);
  EXPECT_EQ(back.data, t.data);
  // Data starts 64-byte aligned, as numpy writes it.
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  EXPECT_EQ((static_cast<size_t>(in.tellg()) - t.data.size()) % 64, 0u);
  remove(path.c_str());
}

INSTANTIATE_TEST_SUITE_P(
    Dtypes, RoundTrip,
    ::testing::Values(
        makeTensor<float>(onnx::TensorProto::FLOAT, {2, 3},
                          {1, -2, 3.5f, 0, 1e-30f, -7}),
        makeTensor<double>(onnx::TensorProto::DOUBLE, {2}, {1.25, -3}),
        makeTensor<int64_t>(onnx::TensorProto::INT64, {3}, {-1, 0, 1LL << 40}),
        makeTensor<int32_t>(onnx::TensorProto::INT32, {1, 1}, {42}),
        makeTensor<int8_t>(onnx::TensorProto::INT8, {2}, {-128, 127}),
        makeTensor<uint8_t>(onnx::TensorProto::UINT8, {2}, {0, 255}),
        makeTensor<uint8_t>(onnx::TensorProto::BOOL, {3}, {1, 0, 1}),
        makeTensor<float>(onnx::TensorProto::FLOAT, {}, {3.0f}),      // 0-d
        makeTensor<float>(onnx::TensorProto::FLOAT, {0, 4}, {})));   // empty

TEST(Npy, ReadsVersion2Headers) {
  std::string header = "{'descr': '<i8', 'fortran_order': False, "
                       "'shape': (2,), }";
  header.append(64 - (12 + header.size() + 1) % 64, ' ');
  header += "\n";
  uint32_t len = header.size();
  std::string bytes = std::string("\x93NUMPY\x02\x00", 8) +
                      std::string(reinterpret_cast<char *>(&len), 4) + header;
  int64_t values[2] = {5, -6};
  bytes.append(reinterpret_cast<char *>(values), sizeof(values));
  std::string path = tempPath(".npy");
  writeBytes(path, bytes);
  Tensor t;
  Status s = readNpy(path, t);
  ASSERT_TRUE(s.ok) << s.message;
  EXPECT_EQ(t.shape, std::vector<int64_t>({2}));
  EXPECT_EQ(t.elementAsDouble(1), -6.0);
  remove(path.c_str());
}

TEST(Npy, RejectsBadMagicTruncationFortranOrderAndUnknownDtypes) {
  Tensor good = makeTensor<float>(onnx::TensorProto::FLOAT, {4}, {1, 2, 3, 4});
  std::string path = tempPath(".npy");
  ASSERT_TRUE(writeNpy(path, good).ok);
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});

  auto expectError = [&](const std::string &content, const char *needle) {
    writeBytes(path, content);
    Tensor t;
    Status s = readNpy(path, t);
    EXPECT_FALSE(s.ok);
    EXPECT_NE(s.message.find(needle), std::string::npos) << s.message;
    EXPECT_NE(s.message.find(path), std::string::npos) << s.message;
  };
  expectError("PK\x03\x04 this is a zip", "bad magic");
  expectError(bytes.substr(0, bytes.size() - 3), "expected 16 bytes of data");
  std::string fortran = bytes;
  fortran.replace(fortran.find("False"), 5, "True ");
  expectError(fortran, "Fortran-ordered");
  std::string complex = bytes;
  complex.replace(complex.find("<f4"), 3, "<c8");
  expectError(complex, "unsupported dtype '<c8'");
  Tensor t;
  EXPECT_FALSE(readNpy(tempPath(".npy"), t).ok); // no such file
  remove(path.c_str());
}

TEST(TensorProto, ReadsRawDataAndTypedFields) {
  onnx::TensorProto raw;
  raw.set_name("x");
  raw.set_data_type(onnx::TensorProto::FLOAT);
  raw.add_dims(2);
  float values[2] = {1.5f, -2.5f};
  raw.set_raw_data(std::string(reinterpret_cast<char *>(values), 8));
  std::string path = tempPath(".pb");
  writeBytes(path, raw.SerializeAsString());
  Tensor t;
  std::string name;
  Status s = readTensorProto(path, t, &name);
  ASSERT_TRUE(s.ok) << s.message;
  EXPECT_EQ(name, "x");
  EXPECT_EQ(t.elementAsDouble(1), -2.5);

  onnx::TensorProto typed;
  typed.set_data_type(onnx::TensorProto::INT64);
  typed.add_dims(1);
  typed.add_dims(3);
  for (int64_t v : {7, 8, 9})
    typed.add_int64_data(v);
  writeBytes(path, typed.SerializeAsString());
  ASSERT_TRUE(readTensorFile(path, t).ok);
  EXPECT_EQ(t.shape, std::vector<int64_t>({1, 3}));
  EXPECT_EQ(t.elementAsDouble(2), 9.0);

  onnx::TensorProto bools;
  bools.set_data_type(onnx::TensorProto::BOOL);
  bools.add_dims(2);
  bools.add_int32_data(1);
  bools.add_int32_data(0);
  writeBytes(path, bools.SerializeAsString());
  ASSERT_TRUE(readTensorFile(path, t).ok);
  EXPECT_EQ(t.data, std::vector<char>({1, 0}));
  remove(path.c_str());
}

TEST(TensorProto, RejectsCountMismatchAndGarbage) {
  onnx::TensorProto p;
  p.set_data_type(onnx::TensorProto::FLOAT);
  p.add_dims(3);
  p.add_float_data(1);
  std::string path = tempPath(".pb");
  writeBytes(path, p.SerializeAsString());
  Tensor t;
  Status s = readTensorProto(path, t);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.message.find("has 1 values but its dims hold 3"),
            std::string::npos)
      << s.message;
  writeBytes(path, "\xff\xff\xff garbage");
  EXPECT_FALSE(readTensorProto(path, t).ok);
  EXPECT_FALSE(readTensorFile(tempPath(".txt"), t).ok);
  remove(path.c_str());
}

} // namespace
