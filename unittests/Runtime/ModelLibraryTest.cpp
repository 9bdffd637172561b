//===- ModelLibraryTest.cpp - Loading and running model libraries ---------===//
//
// Drives ModelLibrary against Inputs/TestModel.c, a hand-written library with
// the C ABI of FacetModel.h (y = 2 * x, n = count of true in b), built in
// three variants by CMake.
//
//===----------------------------------------------------------------------===//

#include "facet/Runtime/ModelLibrary.h"

#include "onnx/onnx_pb.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <unistd.h>

using namespace facet::runtime;

namespace {

Tensor floatTensor(std::vector<int64_t> shape, std::vector<float> values) {
  Tensor t;
  t.dtype = onnx::TensorProto::FLOAT;
  t.shape = std::move(shape);
  t.data.resize(values.size() * sizeof(float));
  if (!values.empty())
    memcpy(t.data.data(), values.data(), t.data.size());
  return t;
}

Tensor boolTensor(std::vector<int64_t> shape, std::vector<char> values) {
  Tensor t;
  t.dtype = onnx::TensorProto::BOOL;
  t.shape = std::move(shape);
  t.data = std::move(values);
  return t;
}

std::unique_ptr<ModelLibrary> openGood() {
  std::string error;
  std::unique_ptr<ModelLibrary> lib =
      ModelLibrary::open(FACET_TEST_MODEL_GOOD, error);
  EXPECT_TRUE(lib) << error;
  return lib;
}

void expectErrorContains(const std::string &message,
                         std::initializer_list<const char *> parts) {
  for (const char *part : parts)
    EXPECT_NE(message.find(part), std::string::npos)
        << "'" << part << "' not in: " << message;
}

TEST(ModelLibraryTest, Signature) {
  std::unique_ptr<ModelLibrary> lib = openGood();
  ASSERT_TRUE(lib);
  ASSERT_EQ(lib->inputs().size(), 2u);
  EXPECT_EQ(lib->inputs()[0].name, "x");
  EXPECT_EQ(lib->inputs()[0].dtype, onnx::TensorProto::FLOAT);
  EXPECT_EQ(lib->inputs()[0].shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(lib->inputs()[1].name, "b");
  EXPECT_EQ(lib->inputs()[1].dtype, onnx::TensorProto::BOOL);
  ASSERT_EQ(lib->outputs().size(), 2u);
  EXPECT_EQ(lib->outputs()[0].name, "y");
  EXPECT_EQ(lib->outputs()[1].name, "n");
  EXPECT_EQ(lib->outputs()[1].dtype, onnx::TensorProto::INT64);
  EXPECT_TRUE(lib->outputs()[1].shape.empty());
}

TEST(ModelLibraryTest, Run) {
  std::unique_ptr<ModelLibrary> lib = openGood();
  ASSERT_TRUE(lib);
  Tensor x = floatTensor({2, 3}, {1, -2, 3.5f, 0, 5, 6});
  Tensor b = boolTensor({3}, {1, 0, 1});
  std::vector<Tensor> outputs;
  Status s = lib->run({&x, &b}, outputs);
  ASSERT_TRUE(s.ok) << s.message;
  ASSERT_EQ(outputs.size(), 2u);
  EXPECT_EQ(outputs[0].dtype, onnx::TensorProto::FLOAT);
  EXPECT_EQ(outputs[0].shape, (std::vector<int64_t>{2, 3}));
  std::vector<double> y;
  for (int64_t i = 0; i < outputs[0].numElements(); ++i)
    y.push_back(outputs[0].elementAsDouble(i));
  EXPECT_EQ(y, (std::vector<double>{2, -4, 7, 0, 10, 12}));
  EXPECT_EQ(outputs[1].shape, std::vector<int64_t>{});
  EXPECT_EQ(outputs[1].elementAsDouble(0), 2.0);

  // Raw runs reuse the buffers.
  const void *in[] = {x.data.data(), b.data.data()};
  void *out[] = {outputs[0].data.data(), outputs[1].data.data()};
  EXPECT_EQ(lib->runRaw(in, out), 0);
}

TEST(ModelLibraryTest, TwoInstancesAtOnce) {
  std::unique_ptr<ModelLibrary> a = openGood(), b = openGood();
  ASSERT_TRUE(a && b);
  a.reset();
  Tensor x = floatTensor({2, 3}, {1, 1, 1, 1, 1, 1});
  Tensor bt = boolTensor({3}, {0, 0, 0});
  std::vector<Tensor> outputs;
  EXPECT_TRUE(b->run({&x, &bt}, outputs).ok);
}

TEST(ModelLibraryTest, RejectsWrongInputs) {
  std::unique_ptr<ModelLibrary> lib = openGood();
  ASSERT_TRUE(lib);
  Tensor x = floatTensor({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor b = boolTensor({3}, {1, 0, 1});
  std::vector<Tensor> outputs;

  Status s = lib->run({&x}, outputs);
  EXPECT_FALSE(s.ok);
  expectErrorContains(s.message, {"2 inputs", "got 1"});

  Tensor wrongShape = floatTensor({3, 2}, {1, 2, 3, 4, 5, 6});
  s = lib->run({&wrongShape, &b}, outputs);
  EXPECT_FALSE(s.ok);
  expectErrorContains(s.message,
                      {"input 'x' must be float32[2, 3], got float32[3, 2]"});

  Tensor wrongType = boolTensor({2, 3}, {1, 1, 1, 1, 1, 1});
  s = lib->run({&wrongType, &b}, outputs);
  EXPECT_FALSE(s.ok);
  expectErrorContains(s.message,
                      {"input 'x' must be float32[2, 3], got bool[2, 3]"});

  Tensor shortData = boolTensor({3}, {1, 0});
  s = lib->run({&x, &shortData}, outputs);
  EXPECT_FALSE(s.ok);
  expectErrorContains(s.message, {"input 'b'", "2 bytes", "3"});

  s = lib->run({&x, nullptr}, outputs);
  EXPECT_FALSE(s.ok);
  expectErrorContains(s.message, {"input 'b'"});
}

TEST(ModelLibraryTest, LoadErrors) {
  std::string error = "stale text from an earlier call";
  EXPECT_FALSE(ModelLibrary::open("/nonexistent/model.so", error));
  expectErrorContains(error,
                      {"cannot load '/nonexistent/model.so'", "No such file"});

  char tmpl[] = "/tmp/facet-notalib-XXXXXX";
  int fd = mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "not an ELF file", 15), 15);
  close(fd);
  EXPECT_FALSE(ModelLibrary::open(tmpl, error));
  expectErrorContains(error, {"cannot load", tmpl});
  unlink(tmpl);

  EXPECT_FALSE(ModelLibrary::open(FACET_TEST_MODEL_NO_RUN, error));
  expectErrorContains(error, {"is not a Facet model", "facet_run"});

  EXPECT_FALSE(ModelLibrary::open(FACET_TEST_MODEL_BAD_ABI, error));
  expectErrorContains(error, {"C ABI version 99", "supports 1"});
}

TEST(ModelLibraryTest, StaleErrorTextDoesNotFailOpen) {
  std::string error = "stale";
  EXPECT_TRUE(ModelLibrary::open(FACET_TEST_MODEL_GOOD, error)) << error;
  EXPECT_TRUE(error.empty());
}

TEST(ModelLibraryTest, ShapeToString) {
  EXPECT_EQ(shapeToString({}), "[]");
  EXPECT_EQ(shapeToString({4}), "[4]");
  EXPECT_EQ(shapeToString({2, 0, 3}), "[2, 0, 3]");
}

} // namespace
