"""facet.compile from Python: dense and factorized builds of a small MLP run
and match onnxruntime (dense) / the report (factorized); a bad flag raises
CompileError with facet-compile's message."""
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
import facet  # noqa: E402


class CompileTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.model = os.path.join(cls.tmp, "m.onnx")
        subprocess.run([sys.executable, os.path.join(
            HERE, "..", "lit-utils", "make_factor_model.py"), "-o", cls.model],
            check=True)
        cls.x = np.random.default_rng(0).standard_normal((16, 96)).astype(
            np.float32)

    def test_dense_matches_onnxruntime(self):
        import onnxruntime as ort
        m = facet.compile(self.model, shapes={"x": (16, 96)})
        y = m.run({"x": self.x})["y"]
        ref = ort.InferenceSession(self.model).run(None, {"x": self.x})[0]
        np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-5)
        self.assertIsNone(m.report)

    def test_factorized_has_report(self):
        m = facet.compile(self.model, shapes={"x": (16, 96)},
                          factorize="svd", keep=0.5)
        self.assertLessEqual(m.report["totals"]["keep"], 0.5)
        self.assertEqual(m.run({"x": self.x})["y"].shape, (16, 64))

    def test_bad_flag_raises(self):
        with self.assertRaises(facet.CompileError) as cm:
            facet.compile(self.model, shapes={"x": (16, 96)},
                          factorize="svd", keep=1.5)
        self.assertIn("--keep=1.500000: the keep ratio", str(cm.exception))
        with self.assertRaises(TypeError):
            facet.compile(self.model, shapes={"x": (16, 96)}, kep=0.5)


if __name__ == "__main__":
    unittest.main()
