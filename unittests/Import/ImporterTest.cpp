//===- ImporterTest.cpp - ONNX importer API tests -------------------------===//
//
// Drives the importer from models built in memory with the ONNX protobuf
// classes, so that each test states exactly the model it imports.
//
//===----------------------------------------------------------------------===//

#include "facet/Compiler/Compiler.h"
#include "facet/Conversion/Passes.h"
#include "facet/Dialect/Facet/IR/FacetOps.h"
#include "facet/Import/OnnxImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include "onnx/onnx_pb.h"
#include <gtest/gtest.h>

using namespace mlir;

namespace {

class ImporterTest : public ::testing::Test {
protected:
  ImporterTest() {
    facet::registerFacetCompilerDialects(registry);
    context = std::make_unique<MLIRContext>(registry);
    context->getDiagEngine().registerHandler([this](Diagnostic &d) {
      errors.push_back(d.str());
      return success();
    });
    model.set_ir_version(8);
    auto *opset = model.add_opset_import();
    opset->set_domain("");
    opset->set_version(17);
    model.mutable_graph()->set_name("g");
  }

  void addInput(const std::string &name, std::vector<int64_t> dims,
                const std::string &dimParam = "") {
    auto *vi = model.mutable_graph()->add_input();
    vi->set_name(name);
    auto *tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) {
      auto *dim = tt->mutable_shape()->add_dim();
      if (d < 0)
        dim->set_dim_param(dimParam);
      else
        dim->set_dim_value(d);
    }
  }
  void addOutput(const std::string &name) {
    auto *vi = model.mutable_graph()->add_output();
    vi->set_name(name);
    vi->mutable_type()->mutable_tensor_type()->set_elem_type(
        onnx::TensorProto::FLOAT);
  }
  onnx::NodeProto *addNode(const std::string &op,
                           std::vector<std::string> inputs,
                           const std::string &output) {
    auto *n = model.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(output + "_node");
    for (auto &i : inputs)
      n->add_input(i);
    n->add_output(output);
    return n;
  }
  void addWeight(const std::string &name, std::vector<int64_t> dims,
                 std::vector<float> values) {
    auto *t = model.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims)
      t->add_dims(d);
    t->set_raw_data(std::string(reinterpret_cast<const char *>(values.data()),
                                values.size() * sizeof(float)));
  }

  OwningOpRef<ModuleOp> import(const facet::ImportOptions &opts = {}) {
    std::string bytes = model.SerializeAsString();
    return facet::importOnnxBytes(*context, bytes, "test.onnx", opts);
  }

  DialectRegistry registry;
  std::unique_ptr<MLIRContext> context;
  std::vector<std::string> errors;
  onnx::ModelProto model;
};

TEST_F(ImporterTest, GemmInfersShapeAndKeepsAttributes) {
  addInput("x", {3, 4});
  addWeight("w", {5, 4}, std::vector<float>(20, 1.0f));
  auto *gemm = addNode("Gemm", {"x", "w"}, "y");
  auto *attr = gemm->add_attribute();
  attr->set_name("transB");
  attr->set_type(onnx::AttributeProto::INT);
  attr->set_i(1);
  addOutput("y");
  OwningOpRef<ModuleOp> module = import();
  ASSERT_TRUE(module) << (errors.empty() ? "" : errors.front());
  facet::GemmOp op;
  module->walk([&](facet::GemmOp g) { op = g; });
  ASSERT_TRUE(op);
  EXPECT_TRUE(op.getTransB());
  EXPECT_FALSE(op.getTransA());
  EXPECT_EQ(op.getType().getShape(), ArrayRef<int64_t>({3, 5}));
  // The 20-element weight is a resource blob holding the exact values.
  auto w = op.getB().getDefiningOp<facet::ConstantOp>();
  ASSERT_TRUE(w);
  EXPECT_TRUE(isa<DenseResourceElementsAttr>(w.getValue()));
}

TEST_F(ImporterTest, SignatureRecordsNamesTypesAndOnnxDtypes) {
  addInput("tokens", {-1, 4}, "batch");
  addNode("Relu", {"tokens"}, "out");
  addOutput("out");
  facet::ImportOptions opts;
  opts.inputShapes["tokens"] = {2, 4};
  OwningOpRef<ModuleOp> module = import(opts);
  ASSERT_TRUE(module);
  auto sig =
      (*module)->getAttrOfType<DictionaryAttr>(facet::kModelSignatureAttr);
  ASSERT_TRUE(sig);
  auto inputs = sig.getAs<ArrayAttr>("inputs");
  ASSERT_EQ(inputs.size(), 1u);
  auto entry = cast<DictionaryAttr>(inputs[0]);
  EXPECT_EQ(entry.getAs<StringAttr>("name").getValue(), "tokens");
  EXPECT_EQ(entry.getAs<IntegerAttr>("dtype").getInt(), 1);
  EXPECT_EQ(cast<RankedTensorType>(entry.getAs<TypeAttr>("type").getValue())
                .getShape(),
            ArrayRef<int64_t>({2, 4}));
}

TEST_F(ImporterTest, DynamicInputWithoutShapeIsAnErrorNamingIt) {
  addInput("tokens", {-1, 4}, "batch");
  addNode("Relu", {"tokens"}, "out");
  addOutput("out");
  EXPECT_FALSE(import());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("graph input 'tokens' has dynamic dimension 0 "
                           "('batch')"),
            std::string::npos)
      << errors[0];
}

TEST_F(ImporterTest, ListsEveryUnsupportedOpOnce) {
  addInput("x", {2});
  addNode("Softsign", {"x"}, "a");
  addNode("Relu", {"a"}, "b");
  addNode("Conv", {"b"}, "c");
  addOutput("c");
  EXPECT_FALSE(import());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("2 unsupported ops: node 'a_node' (Softsign), "
                           "node 'c_node' (Conv)"),
            std::string::npos)
      << errors[0];
}

TEST_F(ImporterTest, InitializerListedAsInputIsAConstant) {
  // Exporters before IR version 4 list initializers among the inputs.
  addInput("x", {2, 2});
  addInput("w", {2, 2});
  addWeight("w", {2, 2}, {1, 2, 3, 4});
  addNode("MatMul", {"x", "w"}, "y");
  addOutput("y");
  OwningOpRef<ModuleOp> module = import();
  ASSERT_TRUE(module);
  auto func = module->lookupSymbol<func::FuncOp>("main");
  EXPECT_EQ(func.getNumArguments(), 1u);
}

TEST_F(ImporterTest, GarbageBytesAreRejected) {
  std::string bytes = "\xff\xff\xff\xff not a protobuf";
  EXPECT_FALSE(facet::importOnnxBytes(*context, bytes, "junk.onnx", {}));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("not a valid ONNX model"), std::string::npos);
}

TEST(ParseShapeText, AcceptsDimsAndScalarsRejectsGarbage) {
  SmallVector<int64_t> shape;
  EXPECT_TRUE(facet::parseShapeText("1x32", shape));
  EXPECT_EQ(shape, SmallVector<int64_t>({1, 32}));
  EXPECT_TRUE(facet::parseShapeText("scalar", shape));
  EXPECT_TRUE(shape.empty());
  EXPECT_TRUE(facet::parseShapeText("0x4", shape));
  EXPECT_FALSE(facet::parseShapeText("1x", shape));
  EXPECT_FALSE(facet::parseShapeText("-1x4", shape));
  EXPECT_FALSE(facet::parseShapeText("ax4", shape));
}

} // namespace
