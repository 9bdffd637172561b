//===- TensorIOTest.cpp - .npy and TensorProto readers/writers ------------===//
//
// The fixtures under Inputs/ were written by NumPy 2.4 and ONNX 1.23's
// numpy_helper/helper (see the file names for content); the error cases are
// built here from bytes.
//
//===----------------------------------------------------------------------===//

#include "facet/Runtime/Tensor.h"

#include "onnx/onnx_pb.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <unistd.h>

using namespace facet::runtime;

namespace {

const std::string kInputs = FACET_RUNTIME_TEST_INPUTS;

/// A fresh scratch directory per test, removed with its files afterwards.
class TensorIOTest : public ::testing::Test {
protected:
  void SetUp() override {
    char tmpl[] = "/tmp/facet-tensorio-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir = tmpl;
  }
  void TearDown() override {
    for (const std::string &f : files)
      unlink(f.c_str());
    rmdir(dir.c_str());
  }
  std::string path(const std::string &name) {
    files.push_back(dir + "/" + name);
    return files.back();
  }
  std::string writeBytes(const std::string &name, const std::string &bytes) {
    std::string p = path(name);
    std::ofstream(p, std::ios::binary).write(bytes.data(), bytes.size());
    return p;
  }
  std::string readBytes(const std::string &p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::string dir;
  std::vector<std::string> files;
};

template <typename T>
Tensor makeTensor(int32_t dtype, std::vector<int64_t> shape,
                  const std::vector<T> &values) {
  Tensor t;
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.data.resize(values.size() * sizeof(T));
  if (!values.empty())
    memcpy(t.data.data(), values.data(), t.data.size());
  return t;
}

template <typename T> std::vector<T> values(const Tensor &t) {
  std::vector<T> v(t.data.size() / sizeof(T));
  if (!v.empty())
    memcpy(v.data(), t.data.data(), t.data.size());
  return v;
}

/// A .npy v1.0 file with the given header dict (padded like NumPy does).
std::string npyBytes(const std::string &dict, const std::string &data) {
  std::string header = dict;
  header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
  header.push_back('\n');
  std::string bytes("\x93NUMPY\x01\x00", 8);
  bytes.push_back(static_cast<char>(header.size() & 0xff));
  bytes.push_back(static_cast<char>(header.size() >> 8));
  return bytes + header + data;
}

#define EXPECT_ERROR(status, ...)                                              \
  do {                                                                         \
    Status s_ = (status);                                                      \
    EXPECT_FALSE(s_.ok);                                                       \
    for (const char *part : {__VA_ARGS__})                                     \
      EXPECT_NE(s_.message.find(part), std::string::npos)                      \
          << "'" << part << "' not in: " << s_.message;                        \
  } while (0)

//===----------------------------------------------------------------------===//
// Data types and elements
//===----------------------------------------------------------------------===//

TEST(DtypeTest, SizesAndNames) {
  EXPECT_EQ(dtypeSize(onnx::TensorProto::FLOAT), 4u);
  EXPECT_EQ(dtypeSize(onnx::TensorProto::DOUBLE), 8u);
  EXPECT_EQ(dtypeSize(onnx::TensorProto::INT64), 8u);
  EXPECT_EQ(dtypeSize(onnx::TensorProto::INT32), 4u);
  EXPECT_EQ(dtypeSize(onnx::TensorProto::INT8), 1u);
  EXPECT_EQ(dtypeSize(onnx::TensorProto::UINT8), 1u);
  EXPECT_EQ(dtypeSize(onnx::TensorProto::BOOL), 1u);
  EXPECT_EQ(dtypeSize(onnx::TensorProto::FLOAT16), 2u);
  EXPECT_EQ(dtypeSize(onnx::TensorProto::STRING), 0u);
  EXPECT_EQ(dtypeSize(onnx::TensorProto::UNDEFINED), 0u);
  EXPECT_STREQ(dtypeName(onnx::TensorProto::FLOAT), "float32");
  EXPECT_STREQ(dtypeName(onnx::TensorProto::DOUBLE), "float64");
  EXPECT_STREQ(dtypeName(onnx::TensorProto::INT64), "int64");
  EXPECT_STREQ(dtypeName(onnx::TensorProto::BOOL), "bool");
}

TEST(DtypeTest, ElementAsDouble) {
  EXPECT_EQ(makeTensor<float>(onnx::TensorProto::FLOAT, {2}, {1.5f, -2})
                .elementAsDouble(1),
            -2.0);
  EXPECT_EQ(makeTensor<int64_t>(onnx::TensorProto::INT64, {1}, {-(1LL << 40)})
                .elementAsDouble(0),
            -std::ldexp(1.0, 40));
  EXPECT_EQ(makeTensor<int8_t>(onnx::TensorProto::INT8, {1}, {-128})
                .elementAsDouble(0),
            -128.0);
  EXPECT_EQ(makeTensor<uint8_t>(onnx::TensorProto::UINT8, {1}, {255})
                .elementAsDouble(0),
            255.0);
  EXPECT_EQ(
      makeTensor<uint8_t>(onnx::TensorProto::BOOL, {1}, {1}).elementAsDouble(0),
      1.0);
  // float16: 1.0, -2.0, smallest subnormal, infinity.
  Tensor h = makeTensor<uint16_t>(onnx::TensorProto::FLOAT16, {4},
                                  {0x3c00, 0xc000, 0x0001, 0x7c00});
  EXPECT_EQ(h.elementAsDouble(0), 1.0);
  EXPECT_EQ(h.elementAsDouble(1), -2.0);
  EXPECT_EQ(h.elementAsDouble(2), std::ldexp(1.0, -24));
  EXPECT_TRUE(std::isinf(h.elementAsDouble(3)));
}

TEST(DtypeTest, NumElements) {
  Tensor t;
  EXPECT_EQ(t.numElements(), 1); // 0-d
  t.shape = {2, 0, 3};
  EXPECT_EQ(t.numElements(), 0);
  t.shape = {2, 3, 4};
  EXPECT_EQ(t.numElements(), 24);
}

//===----------------------------------------------------------------------===//
// .npy round trips
//===----------------------------------------------------------------------===//

struct RoundTripCase {
  int32_t dtype;
  std::vector<int64_t> shape;
};

class NpyRoundTripTest : public TensorIOTest,
                         public ::testing::WithParamInterface<RoundTripCase> {};

TEST_P(NpyRoundTripTest, WriteThenRead) {
  const RoundTripCase &c = GetParam();
  Tensor t;
  t.dtype = c.dtype;
  t.shape = c.shape;
  t.data.resize(t.numElements() * dtypeSize(c.dtype));
  for (size_t i = 0; i < t.data.size(); ++i)
    t.data[i] = static_cast<char>(
        c.dtype == onnx::TensorProto::BOOL ? i % 2 : i * 37 + 11);
  std::string p = path("t.npy");
  Status w = writeNpy(p, t);
  ASSERT_TRUE(w.ok) << w.message;

  // NumPy requires the data to start 64-byte aligned after a '\n'.
  std::string bytes = readBytes(p);
  ASSERT_GE(bytes.size(), 10u);
  size_t headerLen =
      static_cast<uint8_t>(bytes[8]) | (static_cast<uint8_t>(bytes[9]) << 8);
  EXPECT_EQ((10 + headerLen) % 64, 0u);
  EXPECT_EQ(bytes[10 + headerLen - 1], '\n');

  Tensor r;
  Status s = readNpy(p, r);
  ASSERT_TRUE(s.ok) << s.message;
  EXPECT_EQ(r.dtype, t.dtype);
  EXPECT_EQ(r.shape, t.shape);
  EXPECT_EQ(r.data, t.data);

  // The same through the extension-based dispatcher.
  Tensor d;
  ASSERT_TRUE(readTensorFile(p, d).ok);
  EXPECT_EQ(d.data, t.data);
}

std::vector<RoundTripCase> roundTripCases() {
  std::vector<RoundTripCase> cases;
  for (int32_t dtype : {onnx::TensorProto::FLOAT, onnx::TensorProto::DOUBLE,
                        onnx::TensorProto::INT64, onnx::TensorProto::INT32,
                        onnx::TensorProto::INT8, onnx::TensorProto::UINT8,
                        onnx::TensorProto::BOOL, onnx::TensorProto::FLOAT16})
    for (std::vector<int64_t> shape : std::vector<std::vector<int64_t>>{
             {}, {0}, {5}, {2, 3}, {3, 0, 2}, {1, 2, 1, 3}})
      cases.push_back({dtype, shape});
  return cases;
}

std::string caseName(const ::testing::TestParamInfo<RoundTripCase> &info) {
  std::string name = dtypeName(info.param.dtype);
  name += "_";
  if (info.param.shape.empty())
    name += "scalar";
  for (size_t i = 0; i < info.param.shape.size(); ++i)
    name += (i ? "x" : "") + std::to_string(info.param.shape[i]);
  return name;
}

INSTANTIATE_TEST_SUITE_P(AllDtypes, NpyRoundTripTest,
                         ::testing::ValuesIn(roundTripCases()), caseName);

TEST_F(TensorIOTest, WriteRejectsInconsistentData) {
  Tensor t = makeTensor<float>(onnx::TensorProto::FLOAT, {2, 3}, {1, 2});
  EXPECT_ERROR(writeNpy(path("bad.npy"), t), "bad.npy", "8 bytes", "24");
}

TEST_F(TensorIOTest, WriteUnsupportedDtype) {
  Tensor t;
  t.dtype = onnx::TensorProto::STRING;
  EXPECT_ERROR(writeNpy(path("s.npy"), t), "s.npy");
}

TEST_F(TensorIOTest, WriteToMissingDirectory) {
  Tensor t = makeTensor<float>(onnx::TensorProto::FLOAT, {1}, {1});
  EXPECT_ERROR(writeNpy(dir + "/no/such/dir/t.npy", t), "t.npy");
}

//===----------------------------------------------------------------------===//
// .npy files written by NumPy
//===----------------------------------------------------------------------===//

TEST(NpyNumpyFilesTest, Float32) {
  Tensor t;
  Status s = readNpy(kInputs + "/f32_2x3.npy", t);
  ASSERT_TRUE(s.ok) << s.message;
  EXPECT_EQ(t.dtype, onnx::TensorProto::FLOAT);
  EXPECT_EQ(t.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(values<float>(t), (std::vector<float>{1.5f, -2, 3, 4, 5, 6.25f}));
}

TEST(NpyNumpyFilesTest, Float64) {
  Tensor t;
  ASSERT_TRUE(readNpy(kInputs + "/f64_2.npy", t).ok);
  EXPECT_EQ(t.dtype, onnx::TensorProto::DOUBLE);
  EXPECT_EQ(values<double>(t), (std::vector<double>{0.1, -2.5}));
}

TEST(NpyNumpyFilesTest, Int64Version2) {
  Tensor t;
  Status s = readNpy(kInputs + "/i64_3_v2.npy", t);
  ASSERT_TRUE(s.ok) << s.message;
  EXPECT_EQ(t.dtype, onnx::TensorProto::INT64);
  EXPECT_EQ(t.shape, (std::vector<int64_t>{3}));
  EXPECT_EQ(values<int64_t>(t), (std::vector<int64_t>{7, -8, 9}));
}

TEST(NpyNumpyFilesTest, Int32) {
  Tensor t;
  ASSERT_TRUE(readNpy(kInputs + "/i32_2x1.npy", t).ok);
  EXPECT_EQ(t.dtype, onnx::TensorProto::INT32);
  EXPECT_EQ(t.shape, (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(values<int32_t>(t), (std::vector<int32_t>{-1, 2}));
}

TEST(NpyNumpyFilesTest, Int8) {
  Tensor t;
  ASSERT_TRUE(readNpy(kInputs + "/i8_2.npy", t).ok);
  EXPECT_EQ(t.dtype, onnx::TensorProto::INT8);
  EXPECT_EQ(values<int8_t>(t), (std::vector<int8_t>{-128, 127}));
}

TEST(NpyNumpyFilesTest, EmptyUint8) {
  Tensor t;
  ASSERT_TRUE(readNpy(kInputs + "/u8_0x3.npy", t).ok);
  EXPECT_EQ(t.dtype, onnx::TensorProto::UINT8);
  EXPECT_EQ(t.shape, (std::vector<int64_t>{0, 3}));
  EXPECT_TRUE(t.data.empty());
}

TEST(NpyNumpyFilesTest, BoolScalarVersion3) {
  Tensor t;
  Status s = readNpy(kInputs + "/bool_scalar_v3.npy", t);
  ASSERT_TRUE(s.ok) << s.message;
  EXPECT_EQ(t.dtype, onnx::TensorProto::BOOL);
  EXPECT_TRUE(t.shape.empty());
  EXPECT_EQ(values<uint8_t>(t), (std::vector<uint8_t>{1}));
}

TEST(NpyNumpyFilesTest, Bool) {
  Tensor t;
  ASSERT_TRUE(readNpy(kInputs + "/bool_3.npy", t).ok);
  EXPECT_EQ(values<uint8_t>(t), (std::vector<uint8_t>{1, 0, 1}));
}

TEST(NpyNumpyFilesTest, FortranOrderIsAnError) {
  Tensor t;
  std::string p = kInputs + "/f32_fortran.npy";
  EXPECT_ERROR(readNpy(p, t), p.c_str(), "Fortran");
}

TEST(NpyNumpyFilesTest, BigEndianIsUnsupported) {
  Tensor t;
  std::string p = kInputs + "/f32_bigendian.npy";
  EXPECT_ERROR(readNpy(p, t), p.c_str(), "unsupported dtype", ">f4");
}

//===----------------------------------------------------------------------===//
// Malformed .npy files
//===----------------------------------------------------------------------===//

const char *kGoodDict = "{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (2,), }";

TEST_F(TensorIOTest, NpyGoodBaseline) {
  Tensor t;
  Status s = readNpy(
      writeBytes("ok.npy", npyBytes(kGoodDict, std::string(8, '\0'))), t);
  EXPECT_TRUE(s.ok) << s.message;
}

TEST_F(TensorIOTest, NpyBadMagic) {
  Tensor t;
  std::string bytes = npyBytes(kGoodDict, std::string(8, '\0'));
  bytes[1] = 'X';
  EXPECT_ERROR(readNpy(writeBytes("magic.npy", bytes), t), "magic.npy",
               "bad magic");
  EXPECT_ERROR(readNpy(writeBytes("empty.npy", ""), t), "empty.npy",
               "bad magic");
  EXPECT_ERROR(readNpy(writeBytes("zip.npy", "PK\x03\x04 a zip"), t), "zip.npy",
               "bad magic");
}

TEST_F(TensorIOTest, NpyUnsupportedVersion) {
  Tensor t;
  std::string bytes = npyBytes(kGoodDict, std::string(8, '\0'));
  bytes[6] = 4;
  EXPECT_ERROR(readNpy(writeBytes("v4.npy", bytes), t), "v4.npy", "version");
}

TEST_F(TensorIOTest, NpyTruncatedHeader) {
  Tensor t;
  std::string bytes = npyBytes(kGoodDict, "");
  EXPECT_ERROR(readNpy(writeBytes("th.npy", bytes.substr(0, 40)), t), "th.npy",
               "truncated");
}

TEST_F(TensorIOTest, NpyTruncatedData) {
  Tensor t;
  EXPECT_ERROR(
      readNpy(writeBytes("td.npy", npyBytes(kGoodDict, std::string(7, '\0'))),
              t),
      "td.npy", "truncated data", "expected 8 bytes of data, found 7");
}

TEST_F(TensorIOTest, NpyTrailingData) {
  Tensor t;
  EXPECT_ERROR(
      readNpy(writeBytes("tr.npy", npyBytes(kGoodDict, std::string(9, '\0'))),
              t),
      "tr.npy", "expected 8 bytes of data, found 9");
}

TEST_F(TensorIOTest, NpyFortranOrder) {
  Tensor t;
  std::string dict = "{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }";
  EXPECT_ERROR(
      readNpy(writeBytes("f.npy", npyBytes(dict, std::string(8, '\0'))), t),
      "f.npy", "Fortran-ordered");
}

TEST_F(TensorIOTest, NpyUnsupportedDtype) {
  Tensor t;
  std::string dict =
      "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }";
  EXPECT_ERROR(
      readNpy(writeBytes("c.npy", npyBytes(dict, std::string(16, '\0'))), t),
      "c.npy", "unsupported dtype '<c8'");
}

TEST_F(TensorIOTest, NpyMalformedHeader) {
  Tensor t;
  EXPECT_ERROR(
      readNpy(writeBytes("nokey.npy", npyBytes("{'descr': '<f4', }", "")), t),
      "nokey.npy");
  std::string dict =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }";
  EXPECT_ERROR(readNpy(writeBytes("shape.npy", npyBytes(dict, "")), t),
               "shape.npy", "shape");
  dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }";
  EXPECT_ERROR(readNpy(writeBytes("neg.npy", npyBytes(dict, "")), t), "neg.npy",
               "shape");
  dict = "{'descr': '<f4', 'fortran_order': False, "
         "'shape': (4294967296, 4294967296), }";
  EXPECT_ERROR(readNpy(writeBytes("huge.npy", npyBytes(dict, "")), t),
               "huge.npy", "shape");
}

TEST_F(TensorIOTest, NpyMissingFile) {
  Tensor t;
  EXPECT_ERROR(readNpy(dir + "/nothere.npy", t), "nothere.npy", "No such file");
  EXPECT_ERROR(readNpy(dir, t), dir.c_str(), "directory");
}

//===----------------------------------------------------------------------===//
// ONNX TensorProto
//===----------------------------------------------------------------------===//

TEST(TensorProtoFilesTest, RawDataFromNumpyHelper) {
  Tensor t;
  std::string name;
  Status s = readTensorProto(kInputs + "/f32_2x3_raw.pb", t, &name);
  ASSERT_TRUE(s.ok) << s.message;
  EXPECT_EQ(name, "x");
  EXPECT_EQ(t.dtype, onnx::TensorProto::FLOAT);
  EXPECT_EQ(t.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(values<float>(t), (std::vector<float>{1.5f, -2, 3, 4, 5, 6.25f}));
}

TEST(TensorProtoFilesTest, TypedInt64Data) {
  Tensor t;
  std::string name;
  Status s = readTensorProto(kInputs + "/i64_3_typed.pb", t, &name);
  ASSERT_TRUE(s.ok) << s.message;
  EXPECT_EQ(name, "idx");
  EXPECT_EQ(values<int64_t>(t), (std::vector<int64_t>{7, -8, 9}));
  Tensor d;
  ASSERT_TRUE(readTensorFile(kInputs + "/i64_3_typed.pb", d).ok);
  EXPECT_EQ(d.data, t.data);
}

class TensorProtoTest : public TensorIOTest {
protected:
  std::string save(const std::string &name, const onnx::TensorProto &proto) {
    return writeBytes(name, proto.SerializeAsString());
  }
  Tensor load(const std::string &file) {
    Tensor t;
    Status s = readTensorProto(file, t);
    EXPECT_TRUE(s.ok) << s.message;
    return t;
  }
};

TEST_F(TensorProtoTest, RawData) {
  onnx::TensorProto p;
  p.set_name("input");
  p.set_data_type(onnx::TensorProto::INT32);
  p.add_dims(2);
  p.add_dims(2);
  int32_t v[] = {1, -2, 3, 1 << 30};
  p.set_raw_data(std::string(reinterpret_cast<char *>(v), sizeof(v)));
  std::string name;
  Tensor t;
  Status s = readTensorProto(save("raw.pb", p), t, &name);
  ASSERT_TRUE(s.ok) << s.message;
  EXPECT_EQ(name, "input");
  EXPECT_EQ(t.dtype, onnx::TensorProto::INT32);
  EXPECT_EQ(t.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(values<int32_t>(t), (std::vector<int32_t>{1, -2, 3, 1 << 30}));
}

TEST_F(TensorProtoTest, FloatData) {
  onnx::TensorProto p;
  p.set_data_type(onnx::TensorProto::FLOAT);
  p.add_dims(3);
  for (float f : {0.5f, -1.0f, 3.25f})
    p.add_float_data(f);
  Tensor t = load(save("f.pb", p));
  EXPECT_EQ(t.shape, (std::vector<int64_t>{3}));
  EXPECT_EQ(values<float>(t), (std::vector<float>{0.5f, -1.0f, 3.25f}));
}

TEST_F(TensorProtoTest, DoubleAndInt64Data) {
  onnx::TensorProto d;
  d.set_data_type(onnx::TensorProto::DOUBLE);
  d.add_double_data(0.1); // 0-d: no dims
  Tensor t = load(save("d.pb", d));
  EXPECT_TRUE(t.shape.empty());
  EXPECT_EQ(values<double>(t), (std::vector<double>{0.1}));

  onnx::TensorProto i;
  i.set_data_type(onnx::TensorProto::INT64);
  i.add_dims(2);
  i.add_int64_data(-(1LL << 40));
  i.add_int64_data(5);
  EXPECT_EQ(values<int64_t>(load(save("i.pb", i))),
            (std::vector<int64_t>{-(1LL << 40), 5}));
}

TEST_F(TensorProtoTest, Int32DataHoldsSmallTypes) {
  onnx::TensorProto b;
  b.set_data_type(onnx::TensorProto::BOOL);
  b.add_dims(3);
  for (int v : {1, 0, 1})
    b.add_int32_data(v);
  EXPECT_EQ(values<uint8_t>(load(save("b.pb", b))),
            (std::vector<uint8_t>{1, 0, 1}));

  onnx::TensorProto i8;
  i8.set_data_type(onnx::TensorProto::INT8);
  i8.add_dims(2);
  i8.add_int32_data(-128);
  i8.add_int32_data(127);
  EXPECT_EQ(values<int8_t>(load(save("i8.pb", i8))),
            (std::vector<int8_t>{-128, 127}));

  onnx::TensorProto u8;
  u8.set_data_type(onnx::TensorProto::UINT8);
  u8.add_dims(1);
  u8.add_int32_data(255);
  EXPECT_EQ(values<uint8_t>(load(save("u8.pb", u8))),
            (std::vector<uint8_t>{255}));

  onnx::TensorProto i32;
  i32.set_data_type(onnx::TensorProto::INT32);
  i32.add_dims(1);
  i32.add_int32_data(-7);
  EXPECT_EQ(values<int32_t>(load(save("i32.pb", i32))),
            (std::vector<int32_t>{-7}));

  // float16 travels as its bit pattern.
  onnx::TensorProto h;
  h.set_data_type(onnx::TensorProto::FLOAT16);
  h.add_dims(1);
  h.add_int32_data(0x3c00);
  Tensor ht = load(save("h.pb", h));
  EXPECT_EQ(ht.elementAsDouble(0), 1.0);
}

TEST_F(TensorProtoTest, EmptyTensor) {
  onnx::TensorProto p;
  p.set_data_type(onnx::TensorProto::FLOAT);
  p.add_dims(0);
  p.add_dims(4);
  Tensor t = load(save("e.pb", p));
  EXPECT_EQ(t.shape, (std::vector<int64_t>{0, 4}));
  EXPECT_TRUE(t.data.empty());
}

TEST_F(TensorProtoTest, ThenWriteNpyAndReadBack) {
  onnx::TensorProto p;
  p.set_data_type(onnx::TensorProto::FLOAT);
  p.add_dims(2);
  p.add_float_data(1);
  p.add_float_data(2);
  Tensor t = load(save("p.pb", p));
  std::string npy = path("p.npy");
  ASSERT_TRUE(writeNpy(npy, t).ok);
  Tensor r;
  ASSERT_TRUE(readNpy(npy, r).ok);
  EXPECT_EQ(r.data, t.data);
}

TEST_F(TensorProtoTest, Errors) {
  Tensor t;
  onnx::TensorProto count;
  count.set_data_type(onnx::TensorProto::FLOAT);
  count.add_dims(3);
  count.add_float_data(1);
  EXPECT_ERROR(readTensorProto(save("count.pb", count), t), "count.pb",
               "has 1 values but its dims hold 3");

  onnx::TensorProto raw;
  raw.set_data_type(onnx::TensorProto::INT64);
  raw.add_dims(2);
  raw.set_raw_data(std::string(12, '\0'));
  EXPECT_ERROR(readTensorProto(save("raw.pb", raw), t), "raw.pb", "12", "16");

  onnx::TensorProto str;
  str.set_data_type(onnx::TensorProto::STRING);
  str.add_dims(1);
  str.add_string_data("hi");
  EXPECT_ERROR(readTensorProto(save("str.pb", str), t), "str.pb");

  onnx::TensorProto undef;
  undef.add_dims(1);
  EXPECT_ERROR(readTensorProto(save("undef.pb", undef), t), "undef.pb");

  onnx::TensorProto ext;
  ext.set_data_type(onnx::TensorProto::FLOAT);
  ext.add_dims(1);
  ext.set_data_location(onnx::TensorProto::EXTERNAL);
  EXPECT_ERROR(readTensorProto(save("ext.pb", ext), t), "ext.pb", "external");

  onnx::TensorProto neg;
  neg.set_data_type(onnx::TensorProto::FLOAT);
  neg.add_dims(-1);
  EXPECT_ERROR(readTensorProto(save("neg.pb", neg), t), "neg.pb");

  EXPECT_ERROR(readTensorProto(writeBytes("junk.pb", "\xff\xff\xff\xff"), t),
               "junk.pb");
  EXPECT_ERROR(readTensorProto(dir + "/none.pb", t), "none.pb");
}

TEST_F(TensorIOTest, DispatchOnExtension) {
  Tensor t;
  EXPECT_ERROR(readTensorFile(writeBytes("x.txt", "1 2 3"), t), "x.txt", ".npy",
               ".pb");
  EXPECT_ERROR(readTensorFile(writeBytes("npy", ""), t), "npy");
  // The extension decides, not the content.
  EXPECT_ERROR(readTensorFile(writeBytes("x.npy", "\xff\xff\xff"), t), "x.npy",
               "magic");
}

} // namespace
