#!/usr/bin/python3
"""Write HDF5 files with h5py covering what convscope's HDF5 reader reads,
and beside each a JSON oracle of the values numpy holds (the independent
side of internal/format/hdf5's tests).

usage: hdf5_cases.py OUT_DIR [--seeds]
(--seeds: two small files, the fuzz seeds in internal/format/hdf5/testdata)
"""
import json
import os
import sys

import h5py
import numpy as np


def arrays():
    """name -> (numpy array, h5py dataset options)."""
    a = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5) / 7 - 3
    b = (np.sin(np.arange(37 * 11)) * 100).astype(np.float32).reshape(37, 11)
    out = {
        "contiguous": (a, {}),
        "compact": (np.array([1.5, -2.25, 3.0], np.float32), {"compact": True}),
        "chunked": (b, {"chunks": (8, 4)}),
        "deflate": (b, {"chunks": (10, 5), "compression": "gzip", "compression_opts": 6}),
        "shuffle_deflate": (a, {"chunks": (1, 2, 3, 2), "compression": "gzip", "shuffle": True}),
        "single_chunk": (b, {"chunks": b.shape, "compression": "gzip"}),
        "float64": (np.linspace(-1, 1, 9).astype(np.float64), {}),
        "float16": (np.array([0.5, -1, 65504, 6e-8], np.float16), {}),
        "bigendian": (np.arange(6, dtype=">f4") * 1.25, {}),
        "int8": (np.array([-128, -1, 0, 127], np.int8), {}),
        "uint16": (np.array([0, 1, 65535], np.uint16), {}),
        "int64be": (np.array([-5, 1 << 40], ">i8"), {}),
        "scalar": (np.float32(42.5), {}),
        "empty": (np.zeros((0, 3), np.float32), {}),
    }
    return out


def write(path, libver, track_order=False):
    oracle = {"datasets": {}, "attrs": {}, "group_attrs": {}}
    with h5py.File(path, "w", libver=libver, track_order=track_order) as f:
        g = f.create_group("group/nested")
        for name, (arr, opts) in arrays().items():
            opts = dict(opts)
            compact = opts.pop("compact", False)
            if compact:
                sid = h5py.h5s.create_simple(arr.shape)
                dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
                dcpl.set_layout(h5py.h5d.COMPACT)
                tid = h5py.h5t.py_create(arr.dtype)
                ds = h5py.h5d.create(g.id, name.encode(), tid, sid, dcpl=dcpl)
                ds.write(h5py.h5s.ALL, h5py.h5s.ALL, np.ascontiguousarray(arr))
            else:
                g.create_dataset(name, data=arr, **opts)
            oracle["datasets"]["group/nested/" + name] = {
                "shape": list(np.shape(arr)),
                "values": np.asarray(arr, np.float64).ravel().tolist(),
            }
        # Many members: dense link storage under libver latest.
        many = f.create_group("many")
        for i in range(40):
            many.create_dataset("w%02d" % i, data=np.full((2,), i, np.float32))
        oracle["many"] = ["w%02d" % i for i in range(40)]
        # Attributes the way Keras writes them.
        config = json.dumps({"class_name": "Sequential", "config": {"layers": ["x" * 70000]}})
        f.attrs["vlen_str"] = config  # h5py 3: variable-length UTF-8
        f.attrs["vlen_bytes"] = config.encode("utf8")  # variable-length ASCII
        f.attrs["fixed_bytes"] = np.bytes_(b"2.15.0")  # fixed-length
        f.attrs["fixed_list"] = np.array([b"conv_1/kernel:0", b"conv_1/bias:0"])
        f.attrs["vlen_list"] = [b"dense/kernel:0", b"dense/bias:0", b""]
        f.attrs["float_attr"] = np.array([0.25, 8], np.float32)
        if libver == "latest":
            # A fixed-length string over 64 KiB: dense attribute storage,
            # the value a huge fractal-heap object (h5py 2's Keras files).
            f.attrs["fixed_big"] = np.bytes_(config.encode())
            oracle["attrs"]["fixed_big"] = [config]
        # Many attributes on a group: dense storage under libver latest.
        for i in range(12):
            g.attrs["a%02d" % i] = np.float32(i)
            oracle["group_attrs"]["a%02d" % i] = [i]
        oracle["attrs"].update({
            "vlen_str": [config], "vlen_bytes": [config], "fixed_bytes": ["2.15.0"],
            "fixed_list": ["conv_1/kernel:0", "conv_1/bias:0"],
            "vlen_list": ["dense/kernel:0", "dense/bias:0", ""],
            "float_attr": [0.25, 8],
        })
    with open(path + ".json", "w") as fp:
        json.dump(oracle, fp)


def seed(path, libver):
    """A small file with one of each structure: a fuzzing seed."""
    with h5py.File(path, "w", libver=libver) as f:
        g = f.create_group("g")
        g.create_dataset("c", data=np.arange(12, dtype=np.float32).reshape(3, 4))
        g.create_dataset("z", data=np.arange(24, dtype=np.int16).reshape(4, 6), chunks=(2, 4),
                         compression="gzip", shuffle=True)
        for i in range(9):
            f.create_group("m%d" % i)
            g.attrs["a%d" % i] = np.int32(i)  # dense attributes under latest
        f.attrs["s"] = "{}"
        f.attrs["l"] = [b"a:0", b"b:0"]
        f.attrs["b"] = np.bytes_(b"3")


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    if len(sys.argv) > 2 and sys.argv[2] == "--seeds":
        seed(os.path.join(out, "seed-earliest.h5"), "earliest")
        seed(os.path.join(out, "seed-latest.h5"), "latest")
        return
    write(os.path.join(out, "earliest.h5"), "earliest")
    write(os.path.join(out, "latest.h5"), "latest")
    write(os.path.join(out, "ordered.h5"), "earliest", track_order=True)


if __name__ == "__main__":
    main()
