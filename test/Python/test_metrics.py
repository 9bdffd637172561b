"""The workbench's δ metrics on inputs whose answer is known."""
import math
import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "python"))
from facet import metrics  # noqa: E402


class MetricsTest(unittest.TestCase):
    def setUp(self):
        self.x = np.random.default_rng(0).standard_normal((4, 7, 11))

    def test_identical_outputs_have_zero_delta(self):
        f = metrics.fidelity(self.x, self.x.copy(), logits=True)
        self.assertEqual(f["rel_l2"], 0.0)
        self.assertEqual(f["max_abs"], 0.0)
        self.assertAlmostEqual(f["cosine"], 1.0, places=12)
        self.assertAlmostEqual(f["kl"], 0.0, places=12)
        self.assertEqual(f["top1"], 1.0)

    def test_known_values(self):
        ref = np.array([[3.0, 4.0]])
        self.assertAlmostEqual(metrics.rel_l2(ref, 2 * ref), 1.0)
        self.assertAlmostEqual(metrics.mean_cosine(ref, -ref), -1.0)
        self.assertAlmostEqual(metrics.mean_cosine([[1.0, 0.0]], [[0.0, 1.0]]),
                               0.0)
        # KL(p‖q) of two-class softmaxes, by hand.
        p = np.array([0.5, 0.5])
        q = np.array([0.25, 0.75])
        kl = (p * np.log(p / q)).sum()
        self.assertAlmostEqual(
            metrics.mean_kl([[0.0, 0.0]], [[0.0, math.log(3)]]), kl)
        self.assertEqual(metrics.top1_agreement([[1, 2], [2, 1]],
                                                [[0, 5], [0, 5]]), 0.5)

    def test_uniform_model_perplexity_is_vocabulary_size(self):
        for vocab in (2, 17, 1024):
            logits = np.zeros((3, 9, vocab))  # the same score for every token
            targets = np.random.default_rng(vocab).integers(0, vocab, (3, 9))
            self.assertAlmostEqual(metrics.perplexity(logits, targets), vocab,
                                   places=9)

    def test_perfect_model_perplexity_is_one(self):
        targets = np.array([[1, 0, 2]])
        logits = np.full((1, 3, 3), -1e9)
        for i, t in enumerate(targets[0]):
            logits[0, i, t] = 0.0
        self.assertAlmostEqual(metrics.perplexity(logits, targets), 1.0)

    def test_delta_grows_with_noise(self):
        rng = np.random.default_rng(1)
        small = self.x + 0.01 * rng.standard_normal(self.x.shape)
        large = self.x + 0.5 * rng.standard_normal(self.x.shape)
        self.assertLess(metrics.rel_l2(self.x, small),
                        metrics.rel_l2(self.x, large))
        self.assertGreater(metrics.mean_cosine(self.x, small),
                           metrics.mean_cosine(self.x, large))
        self.assertLess(metrics.mean_kl(self.x, small),
                        metrics.mean_kl(self.x, large))


if __name__ == "__main__":
    unittest.main()
