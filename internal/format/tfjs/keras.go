package tfjs

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strconv"
	"strings"

	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/format/hdf5"
	"github.com/convscope/convscope/internal/graph"
)

func init() {
	format.Register("keras", SniffKeras, loadKeras)
}

// MaxKerasFile bounds a .keras or .h5 file (held in memory while read).
const MaxKerasFile = MaxWeightBytes

var zipMagic = []byte("PK\x03\x04")

// SniffKeras recognises a Keras model file: an HDF5 file (legacy .h5), or a
// zip archive (.keras, Keras 3) named so or holding Keras's JSON files.
func SniffKeras(name string, head []byte) bool {
	if hdf5.IsHDF5(head) || format.HasExt(name, ".keras", ".h5", ".hdf5") {
		return true
	}
	return bytes.HasPrefix(head, zipMagic) && (bytes.Contains(head, []byte("metadata.json")) || bytes.Contains(head, []byte("config.json")))
}

// loadKeras reads a .keras archive or a legacy .h5 model.
func loadKeras(fsys fs.FS, name string, o format.Options) (*graph.Graph, error) {
	if st, err := fs.Stat(fsys, name); err == nil {
		if err := o.Budget.Take(st.Size(), "the Keras file "+name); err != nil {
			return nil, err
		}
	}
	raw, err := format.ReadFile(fsys, name, MaxKerasFile)
	if err != nil {
		return nil, err
	}
	switch {
	case bytes.HasPrefix(raw, zipMagic):
		return loadKerasZip(raw, o)
	case hdf5.IsHDF5(raw):
		return loadKerasH5(raw, o)
	}
	return nil, errors.New("the file is neither a Keras 3 archive (.keras, a zip) nor an HDF5 file (.h5)")
}

// loadKerasZip reads a Keras 3 archive: config.json, model.weights.h5.
func loadKerasZip(raw []byte, o format.Options) (*graph.Graph, error) {
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return nil, fmt.Errorf("the .keras archive is not a valid zip: %w", err)
	}
	read := func(name string, limit int64) ([]byte, error) {
		for _, f := range zr.File {
			if f.Name != name {
				continue
			}
			if f.UncompressedSize64 > uint64(limit) {
				return nil, fmt.Errorf("%s in the archive is %d bytes, more than the limit of %d", name, f.UncompressedSize64, limit)
			}
			if err := o.Budget.Take(int64(f.UncompressedSize64), name+" in the .keras archive"); err != nil {
				return nil, err
			}
			rc, err := f.Open()
			if err != nil {
				return nil, fmt.Errorf("%s in the archive: %w", name, err)
			}
			defer rc.Close()
			// The header's size bounds what is read (a zip bomb stops
			// there); archive/zip checks the size and CRC at the end.
			b := make([]byte, 0, f.UncompressedSize64)
			buf := bytes.NewBuffer(b)
			if _, err := io.Copy(buf, io.LimitReader(rc, int64(f.UncompressedSize64)+1)); err != nil {
				if errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrChecksum) {
					return nil, fmt.Errorf("%s in the archive does not match its header: it inflates past its declared %d bytes or is corrupt (%w)", name, f.UncompressedSize64, err)
				}
				return nil, fmt.Errorf("%s in the archive: %w", name, err)
			}
			if uint64(buf.Len()) != f.UncompressedSize64 {
				return nil, fmt.Errorf("%s in the archive holds more bytes than its header says", name)
			}
			return buf.Bytes(), nil
		}
		return nil, fs.ErrNotExist
	}
	config, err := read("config.json", MaxModelJSON)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errors.New("the .keras archive has no config.json (the model's architecture)")
	}
	if err != nil {
		return nil, err
	}
	return fromTopology(config, func() (map[string]*graph.Tensor, error) {
		h5, err := read("model.weights.h5", MaxKerasFile)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, errors.New("the .keras archive has no model.weights.h5 (the weights)")
		}
		if err != nil {
			return nil, err
		}
		f, err := hdf5.Open(h5, o.Budget)
		if err != nil {
			return nil, fmt.Errorf("model.weights.h5: %w", err)
		}
		var top topology
		if err := json.Unmarshal(config, &top); err != nil {
			return nil, err
		}
		w := map[string]*graph.Tensor{}
		if err := keras3Weights(f, top.ClassName, top.Config, "", "", w, 0); err != nil {
			return nil, fmt.Errorf("model.weights.h5: %w", err)
		}
		return w, nil
	}, true, o)
}

// snakeCase is Keras's naming.to_snake_case (the names of layers in a
// Keras 3 weights file): Conv2D → conv2d, BatchNormalization →
// batch_normalization.
func snakeCase(s string) string {
	s = nonWord.ReplaceAllString(s, "")
	s = camel1.ReplaceAllString(s, "${1}_${2}")
	s = camel2.ReplaceAllString(s, "${1}_${2}")
	return strings.ToLower(s)
}

var (
	nonWord = regexp.MustCompile(`\W+`)
	camel1  = regexp.MustCompile(`(.)([A-Z][a-z]+)`)
	camel2  = regexp.MustCompile(`([a-z])([A-Z])`)
)

// keras3Weights reads the weights of a model's layers from a Keras 3
// weights file: the layers of a model are in "<path>/layers/<class>[_k]"
// (the class in snake case, k counting earlier layers of the class), their
// variables in ".../vars/0", "1", … in the order the layer creates them.
// Nested models recurse; weights are named "<flattened layer>/<kind>".
func keras3Weights(f *hdf5.File, class string, config json.RawMessage, path, prefix string, out map[string]*graph.Tensor, depth int) error {
	if depth > maxNesting {
		return fmt.Errorf("models are nested more than %d deep", maxNesting)
	}
	var list []layer
	var c struct {
		Layers []layer `json:"layers"`
	}
	if err := json.Unmarshal(config, &c); err == nil {
		list = c.Layers
	} else if err := json.Unmarshal(config, &list); err != nil {
		return fmt.Errorf("%s config: %w", class, err)
	}
	container := ""
	for _, name := range []string{"layers", "_layer_checkpoint_dependencies"} {
		if _, err := f.Get(join(path, name)); err == nil {
			container = join(path, name)
			break
		}
	}
	seen := map[string]int{}
	for i, l := range list {
		name := l.Config.Name
		if name == "" {
			name = l.Name
		}
		if name == "" {
			name = fmt.Sprintf("layer_%d", i)
		}
		key := snakeCase(l.ClassName)
		if n := seen[key]; n > 0 {
			seen[key] = n + 1
			key = fmt.Sprintf("%s_%d", key, n)
		} else {
			seen[key] = 1
		}
		if container == "" {
			continue
		}
		p := join(container, key)
		if isModel(l.ClassName) {
			if err := keras3Weights(f, l.ClassName, l.raw, p, prefix+name+"/", out, depth+1); err != nil {
				return err
			}
			continue
		}
		vars, err := f.Get(p + "/vars")
		if err != nil {
			continue // a layer without variables may have no group
		}
		links, err := vars.Links()
		if err != nil {
			return err
		}
		kinds := varKinds(l)
		for k := range links {
			ds, err := vars.Child(strconv.Itoa(k))
			if err != nil {
				return fmt.Errorf("layer %q: %w", name, err)
			}
			kind := strconv.Itoa(k)
			if k < len(kinds) {
				kind = kinds[k]
			}
			t, err := tensorOf(ds)
			if err != nil {
				return fmt.Errorf("layer %q: %w", name, err)
			}
			out[prefix+name+"/"+kind] = t
		}
	}
	return nil
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "/" + b
}

// varKinds names the variables of a Keras 3 layer in the order it creates
// them (Layer.save_own_variables: trainable, then non-trainable), with the
// names the converter looks up.
func varKinds(l layer) []string {
	c := l.Config
	scale, center := true, true
	if c.Center != nil {
		center = *c.Center
	}
	if len(c.Scale) > 0 {
		var s bool
		if json.Unmarshal(c.Scale, &s) == nil {
			scale = s
		}
	}
	var norm []string
	if scale {
		norm = append(norm, "gamma")
	}
	if center {
		norm = append(norm, "beta")
	}
	switch l.ClassName {
	case "Conv2D", "Conv2DTranspose", "Dense", "Conv1D", "Conv3D":
		return []string{"kernel", "bias"}
	case "DepthwiseConv2D":
		return []string{"depthwise_kernel", "bias"}
	case "SeparableConv2D":
		return []string{"depthwise_kernel", "pointwise_kernel", "bias"}
	case "BatchNormalization":
		return append(norm, "moving_mean", "moving_variance")
	case "LayerNormalization":
		return norm
	case "Normalization":
		return []string{"mean", "variance", "count"}
	}
	return nil
}

// tensorOf reads a numeric dataset as a tensor of its shape.
func tensorOf(o *hdf5.Object) (*graph.Tensor, error) {
	v, err := o.Dataset()
	if err != nil {
		return nil, err
	}
	if !v.IsNumeric() {
		return nil, fmt.Errorf("%s is not numeric", o.Path)
	}
	if _, err := numel(v.Shape); err != nil {
		return nil, fmt.Errorf("%s: %w", o.Path, err)
	}
	data, err := v.Float32()
	if err != nil {
		return nil, err
	}
	return &graph.Tensor{Shape: append([]int{}, v.Shape...), Data: data}, nil
}

// loadKerasH5 reads a legacy Keras .h5 model (model.save in Keras 2): the
// config in the root attribute model_config, the weights in
// /model_weights/<layer>/<weight name>, listed by the attributes
// layer_names and weight_names.
func loadKerasH5(raw []byte, o format.Options) (*graph.Graph, error) {
	f, err := hdf5.Open(raw, o.Budget)
	if err != nil {
		return nil, err
	}
	root, err := f.Root()
	if err != nil {
		return nil, err
	}
	config, err := strAttr(root, "model_config")
	if err != nil {
		return nil, err
	}
	if len(config) == 0 {
		if names, _ := strList(root, "layer_names"); len(names) > 0 {
			return nil, errors.New("the .h5 file holds weights only (save_weights), no model_config: save the whole model (model.save) or open its .keras file")
		}
		if _, err := f.Get("layers"); err == nil {
			return nil, errors.New("the .h5 file is a Keras 3 weights file (model.weights.h5) without its config: open the .keras archive it came from")
		}
		return nil, errors.New("the HDF5 file has no model_config attribute: it is not a Keras model saved with model.save")
	}
	top := json.RawMessage(config[0])
	return fromTopology(top, func() (map[string]*graph.Tensor, error) {
		var t topology
		if err := json.Unmarshal(top, &t); err != nil {
			return nil, err
		}
		mc := t.modelConfig
		if t.ModelConfig != nil {
			mc = *t.ModelConfig
		}
		classes := map[string]string{}
		if layers, _, _, _, err := parseModel(mc.ClassName, mc.Config); err == nil {
			for _, l := range layers {
				classes[l.Config.Name] = l.ClassName
			}
		}
		mw, err := f.Get("model_weights")
		if err != nil {
			mw = root
		}
		names, err := strList(mw, "layer_names")
		if err != nil {
			return nil, err
		}
		w := map[string]*graph.Tensor{}
		for _, ln := range names {
			g, err := mw.Child(ln)
			if err != nil {
				return nil, fmt.Errorf("weights of layer %q: %w", ln, err)
			}
			wnames, err := strList(g, "weight_names")
			if err != nil {
				return nil, err
			}
			for _, wn := range wnames {
				ds, err := f.Get(g.Path + "/" + wn)
				if err != nil {
					return nil, fmt.Errorf("weight %q of layer %q: %w", wn, ln, err)
				}
				t, err := tensorOf(ds)
				if err != nil {
					return nil, err
				}
				segs := strings.Split(strings.TrimSuffix(wn, ":0"), "/")
				key := ln + "/" + segs[len(segs)-1]
				if isModel(classes[ln]) && len(segs) >= 2 {
					key = ln + "/" + segs[len(segs)-2] + "/" + segs[len(segs)-1]
				}
				if _, dup := w[key]; dup {
					return nil, fmt.Errorf("layer %q has two weights %q", ln, segs[len(segs)-1])
				}
				w[key] = t
			}
		}
		return w, nil
	}, true, o)
}

// strAttr reads a string attribute (nil if absent).
func strAttr(o *hdf5.Object, name string) ([]string, error) {
	a, err := o.Attr(name)
	if err != nil || a == nil {
		return nil, err
	}
	if !a.IsString() {
		return nil, fmt.Errorf("attribute %s of %s is not a string", name, o.Path)
	}
	return a.Strings()
}

// strList reads a list attribute Keras may split into name0, name1, …
// when it is larger than an object header allows.
func strList(o *hdf5.Object, name string) ([]string, error) {
	list, err := strAttr(o, name)
	if err != nil || list != nil {
		return list, err
	}
	for i := 0; ; i++ {
		part, err := strAttr(o, name+strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		if part == nil {
			return list, nil
		}
		if len(list)+len(part) > MaxLayers*16 {
			return nil, fmt.Errorf("attribute %s of %s is too long", name, o.Path)
		}
		list = append(list, part...)
	}
}
