#!/usr/bin/python3
"""Write the fuzz seeds of the Keras importer (internal/format/tfjs/testdata):
a tiny TF.js layers model (Conv2D, BatchNormalization, Flatten, Dense on a
5x5x1 input, fixed weights) converted by from_tfjs.py to .h5 and .keras.

usage: seeds.py OUT_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np


def main():
    out = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        layers = [
            {"class_name": "Conv2D", "config": {"name": "conv", "batch_input_shape": [None, 5, 5, 1], "filters": 2,
                                                "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid",
                                                "activation": "relu", "use_bias": True, "dtype": "float32"}},
            {"class_name": "BatchNormalization", "config": {"name": "bn", "axis": -1, "epsilon": 0.001}},
            {"class_name": "Flatten", "config": {"name": "flatten"}},
            {"class_name": "Dense", "config": {"name": "dense", "units": 2, "activation": "softmax", "use_bias": True}},
        ]
        weights = [("conv/kernel", np.linspace(-1, 1, 18).reshape(3, 3, 1, 2)), ("conv/bias", np.array([0.1, -0.1])),
                   ("bn/gamma", np.array([1.0, 2.0])), ("bn/beta", np.array([0.0, 0.5])),
                   ("bn/moving_mean", np.array([0.2, 0.1])), ("bn/moving_variance", np.array([1.5, 0.5])),
                   ("dense/kernel", np.linspace(-1, 1, 36).reshape(18, 2)), ("dense/bias", np.array([0.0, 0.0]))]
        doc = {"format": "layers-model", "modelTopology": {"model_config": {
            "class_name": "Sequential", "config": {"name": "tiny", "layers": layers}}},
            "weightsManifest": [{"paths": ["w.bin"], "weights": [
                {"name": n, "shape": list(a.shape), "dtype": "float32"} for n, a in weights]}]}
        with open(os.path.join(tmp, "model.json"), "w") as f:
            json.dump(doc, f)
        with open(os.path.join(tmp, "w.bin"), "wb") as f:
            for _, a in weights:
                f.write(a.astype("<f4").tobytes())
        subprocess.check_call([sys.executable, os.path.join(os.path.dirname(__file__), "from_tfjs.py"),
                               os.path.join(tmp, "model.json"), tmp, "tiny"])
        os.makedirs(out, exist_ok=True)
        for n in ["tiny.h5", "tiny-nested.keras"]:
            os.replace(os.path.join(tmp, n), os.path.join(out, n))


if __name__ == "__main__":
    main()
