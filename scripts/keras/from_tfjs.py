#!/usr/bin/python3
"""Write a TF.js layers model (model.json + float32 shards) as the Keras
files Keras itself writes, with h5py and zipfile, the way Keras does:

  NAME.h5         legacy model.save (Keras 2): root attributes model_config,
                  keras_version, backend; /model_weights/<layer>/<weight>:0
                  listed by the attributes layer_names and weight_names
                  (variable-length strings, as h5py 3 stores Keras's bytes)
  NAME-h5py2.h5   the same with fixed-length string attributes (h5py 2),
                  chunked gzip+shuffle weights and the newest HDF5 format
  NAME.keras      Keras 3: a zip of metadata.json, config.json and
                  model.weights.h5 (layers/<class>[_k]/vars/0, 1, …)
  NAME-nested.h5, NAME-nested.keras
                  a functional model whose first layers are a Sequential
                  model named "features" nested in it (Sequential input only)
  NAME-seqnested.h5, NAME-seqnested.keras
                  the same nested model first in a Sequential model (the
                  legacy one without an InputLayer of its own)

A functional TF.js model gives NAME.h5, NAME-h5py2.h5 and NAME.keras.
Quantized weights (uint8, uint16) are dequantized as TF.js does.

The weights are the TF.js model's arrays, unchanged: convscope's import of
these files must give the TF.js import's activations bit for bit.

usage: from_tfjs.py MODEL_JSON OUT_DIR NAME
"""
import copy
import io
import json
import os
import re
import sys
import zipfile

import h5py
import numpy as np

KERAS2 = "2.15.0"
KERAS3 = "3.3.3"


def read_tfjs(path):
    with open(path) as f:
        doc = json.load(f)
    top = doc["modelTopology"]
    mc = top.get("model_config", top)
    weights = {}
    for group in doc["weightsManifest"]:
        buf = b"".join(open(os.path.join(os.path.dirname(path), p), "rb").read() for p in group["paths"])
        off = 0
        for w in group["weights"]:
            n = int(np.prod(w["shape"]))
            q = w.get("quantization")
            if q:
                # Dequantized as TF.js and convscope do: float64, then float32.
                dt = {"uint8": "<u1", "uint16": "<u2"}.get(q["dtype"])
                if dt is None:
                    sys.exit("quantization %s is not supported: %s" % (q["dtype"], w["name"]))
                raw = np.frombuffer(buf, dt, n, off)
                off += raw.nbytes
                arr = (raw.astype(np.float64) * q["scale"] + q["min"]).astype(np.float32)
            elif w.get("dtype", "float32") == "float32":
                arr = np.frombuffer(buf, "<f4", n, off)
                off += 4 * n
            else:
                sys.exit("dtype %s is not supported: %s" % (w["dtype"], w["name"]))
            weights[w["name"]] = arr.reshape(w["shape"])
    return mc, weights


def layer_weights(name, weights):
    """The TF.js weights of a layer, in manifest order: [(kind, array)]."""
    return [(k.split("/")[-1], v) for k, v in weights.items() if k.split("/")[-2] == name]


def sequential_layers(mc):
    """The layers of a Sequential config with an explicit InputLayer first."""
    cfg = mc["config"]
    layers = copy.deepcopy(cfg["layers"] if isinstance(cfg, dict) else cfg)
    if layers[0]["class_name"] != "InputLayer":
        shape = layers[0]["config"].pop("batch_input_shape")
        layers.insert(0, {"class_name": "InputLayer",
                          "config": {"batch_input_shape": shape, "dtype": "float32", "name": "input"}})
    return layers


def snake(name):
    """Keras's naming.to_snake_case."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


# ---- Keras 2 legacy .h5 ----

def keras2_functional(name, layers, nested_at=None):
    """A functional config chaining layers; layers[1:nested_at] go into a
    nested Sequential model named "features"."""
    out, prev = [], None
    body = layers
    if nested_at:
        inner = {"class_name": "Sequential", "name": "features",
                 "config": {"name": "features", "layers": copy.deepcopy(layers[:nested_at])}}
        inner["config"]["layers"][0]["config"]["name"] = "features_input"
        body = [layers[0], inner] + layers[nested_at:]
    for l in body:
        l = copy.deepcopy(l)
        l["name"] = l["config"]["name"]
        l["inbound_nodes"] = [] if prev is None else [[[prev, 0, 0, {}]]]
        prev = l["name"]
        out.append(l)
    return {"class_name": "Functional", "config": {
        "name": name, "layers": out,
        "input_layers": [[out[0]["name"], 0, 0]], "output_layers": [[prev, 0, 0]]}}


def write_h5(path, model_config, groups, fixed=False):
    """groups: [(layer name, [(weight name, array)])] in model order."""
    libver = "latest" if fixed else "earliest"
    s = (lambda v: np.bytes_(v)) if fixed else (lambda v: v)
    lst = (lambda v: np.array(v, dtype="S")) if fixed else (lambda v: v)
    with h5py.File(path, "w", libver=libver) as f:
        f.attrs["backend"] = s(b"tensorflow")
        f.attrs["keras_version"] = s(KERAS2.encode())
        f.attrs["model_config"] = s(json.dumps(model_config).encode("utf8"))
        mw = f.create_group("model_weights")
        mw.attrs["backend"] = s(b"tensorflow")
        mw.attrs["keras_version"] = s(KERAS2.encode())
        mw.attrs["layer_names"] = lst([n.encode() for n, _ in groups])
        for name, ws in groups:
            g = mw.create_group(name)
            g.attrs["weight_names"] = lst([w.encode() for w, _ in ws]) if ws else np.array([], dtype="S1")
            for wname, arr in ws:
                opts = {}
                if fixed and arr.ndim > 0:
                    opts = {"chunks": tuple(max(1, d // 2) for d in arr.shape), "compression": "gzip", "shuffle": True}
                g.create_dataset(wname, data=arr, **opts)


def legacy_functional(mc, weights, out, name):
    config = {"class_name": mc["class_name"], "config": mc["config"]}
    groups = [(l["config"]["name"], [("%s/%s:0" % (l["config"]["name"], k), v)
                                     for k, v in layer_weights(l["config"]["name"], weights)])
              for l in mc["config"]["layers"]]
    write_h5(os.path.join(out, name + ".h5"), config, groups)
    write_h5(os.path.join(out, name + "-h5py2.h5"), config, groups, fixed=True)


def legacy(mc, weights, out, name):
    layers = sequential_layers(mc)
    config = {"class_name": "Sequential", "config": {"name": mc["config"].get("name", "sequential"), "layers": layers}}
    groups = [(l["config"]["name"], [("%s/%s:0" % (l["config"]["name"], k), v)
                                     for k, v in layer_weights(l["config"]["name"], weights)])
              for l in layers[1:]]
    write_h5(os.path.join(out, name + ".h5"), config, groups)
    write_h5(os.path.join(out, name + "-h5py2.h5"), config, groups, fixed=True)
    # Nested: model_weights/features holds the inner layers' weights.
    at = nested_split(layers)
    config = keras2_functional("outer", layers, at)
    inner = [(k, v) for l in layers[1:at] for k, v in
             [("%s/%s:0" % (l["config"]["name"], kind), arr) for kind, arr in layer_weights(l["config"]["name"], weights)]]
    groups = [("input", []), ("features", inner)] + [
        (l["config"]["name"], [("%s/%s:0" % (l["config"]["name"], k), v) for k, v in layer_weights(l["config"]["name"], weights)])
        for l in layers[at:]]
    write_h5(os.path.join(out, name + "-nested.h5"), config, groups)
    # The same nested model first in a Sequential model without an
    # InputLayer of its own (transfer learning: Sequential([base, ...])).
    inner = copy.deepcopy(layers[:at])
    inner[0]["config"]["name"] = "features_input"
    config = {"class_name": "Sequential", "config": {"name": "outer", "layers": [
        {"class_name": "Sequential", "config": {"name": "features", "layers": inner}}] + copy.deepcopy(layers[at:])}}
    write_h5(os.path.join(out, name + "-seqnested.h5"), config, groups[1:])


def nested_split(layers):
    """Where the nested part ends: after the first pooling layer."""
    for i, l in enumerate(layers):
        if "Pooling" in l["class_name"]:
            return i + 1
    return max(2, len(layers) // 2)


# ---- Keras 3 .keras ----

def keras3_layer(l):
    l = copy.deepcopy(l)
    c = l["config"]
    if l["class_name"] == "InputLayer":
        c["batch_shape"] = c.pop("batch_input_shape")
        c["sparse"] = False
    else:
        c["dtype"] = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}
    return {"module": "keras.layers", "class_name": l["class_name"], "config": c, "registered_name": None}


def keras3_sequential(name, layers):
    return {"module": "keras", "class_name": "Sequential", "registered_name": None,
            "config": {"name": name, "trainable": True, "layers": [keras3_layer(l) for l in layers]}}


def keras3_functional(name, layers, at):
    inner = keras3_sequential("features", layers[:at])
    inner["config"]["layers"][0]["config"]["name"] = "features_input"
    body = [keras3_layer(layers[0]), inner] + [keras3_layer(l) for l in layers[at:]]
    prev = None
    for l in body:
        l["name"] = l["config"]["name"]
        l["inbound_nodes"] = [] if prev is None else [{"args": [{"class_name": "__keras_tensor__", "config": {
            "shape": None, "dtype": "float32", "keras_history": [prev, 0, 0]}}], "kwargs": {}}]
        prev = l["name"]
    return {"module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional",
            "config": {"name": name, "trainable": True, "layers": body,
                       "input_layers": [body[0]["name"], 0, 0], "output_layers": [prev, 0, 0]}}


def keras3_weights(f, path, config_layers, weights, skip_input):
    """Keras 3's layout: path/layers/<snake class>[_k]/vars/<i>."""
    f.require_group(path + "vars" if path else "vars")
    used = {}
    for l in config_layers:
        if skip_input and l["class_name"] == "InputLayer":
            continue  # Sequential.layers leaves out its InputLayer
        key = snake(l["class_name"])
        if key in used:
            used[key] += 1
            key = "%s_%d" % (key, used[key])
        else:
            used[key] = 0
        p = (path + "layers/" + key)
        if l["class_name"] == "Sequential":
            keras3_weights(f, p + "/", l["config"]["layers"], weights, True)
            continue
        g = f.create_group(p + "/vars")
        for i, (kind, arr) in enumerate(layer_weights(l["config"]["name"], weights)):
            g.create_dataset(str(i), data=arr)


def write_keras(path, config, weights, compression):
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        layers = config["config"]["layers"]
        keras3_weights(f, "", layers, weights, config["class_name"] == "Sequential")
        f.create_group("optimizer/vars")
    with zipfile.ZipFile(path, "w", compression=compression) as z:
        z.writestr("metadata.json", json.dumps({"keras_version": KERAS3, "date_saved": "2026-01-01@00:00:00"}))
        z.writestr("config.json", json.dumps(config))
        z.writestr("model.weights.h5", buf.getvalue())


def keras3_inbound(nodes):
    """Keras 2 inbound_nodes [[[name, node, tensor, kwargs], ...]] in Keras 3's form."""
    out = []
    for call in nodes:
        ts = [{"class_name": "__keras_tensor__", "config": {"shape": None, "dtype": "float32",
                                                            "keras_history": [e[0], e[1], e[2]]}} for e in call]
        out.append({"args": [ts[0] if len(ts) == 1 else ts], "kwargs": {}})
    return out


def keras3_functional_of(mc):
    body = []
    for l in mc["config"]["layers"]:
        k = keras3_layer(l)
        k["name"] = l["name"]
        k["inbound_nodes"] = keras3_inbound(l.get("inbound_nodes", []))
        body.append(k)
    cfg = dict(mc["config"], layers=body)
    return {"module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional",
            "config": cfg}


def keras3(mc, weights, out, name):
    layers = sequential_layers(mc)
    write_keras(os.path.join(out, name + ".keras"), keras3_sequential(mc["config"].get("name", "sequential"), layers),
                weights, zipfile.ZIP_DEFLATED)
    write_keras(os.path.join(out, name + "-nested.keras"), keras3_functional("outer", layers, nested_split(layers)),
                weights, zipfile.ZIP_STORED)
    at = nested_split(layers)
    inner = keras3_sequential("features", layers[:at])
    inner["config"]["layers"][0]["config"]["name"] = "features_input"
    outer = keras3_sequential("outer", [layers[0]] + layers[at:])
    outer["config"]["layers"].insert(1, inner)
    write_keras(os.path.join(out, name + "-seqnested.keras"), outer, weights, zipfile.ZIP_DEFLATED)


def main():
    model_json, out, name = sys.argv[1:4]
    os.makedirs(out, exist_ok=True)
    mc, weights = read_tfjs(model_json)
    if mc["class_name"] != "Sequential":
        # A functional model: no nested variants.
        legacy_functional(mc, weights, out, name)
        write_keras(os.path.join(out, name + ".keras"), keras3_functional_of(mc), weights, zipfile.ZIP_DEFLATED)
        return
    legacy(mc, weights, out, name)
    keras3(mc, weights, out, name)


if __name__ == "__main__":
    main()
