package graph

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// The operator tables the code kept before the traits moved onto the ops,
// copied verbatim as independent data: the web UI's sets
// (web/src/lib/layout.js, scope/fold.js, scope/colors.js,
// lib/explain/target.js) and the Go switches (analyze.IsView,
// analyze.IsElementwise, onnx keepsBatch). Each op's traits must say what
// these said.
var (
	oldPassthrough = set("Identity", "Dropout", "Flatten", "Reshape")
	oldChannelwise = set(
		"Relu", "LeakyRelu", "Sigmoid", "Tanh", "Elu", "Selu", "Clip", "Softplus", "HardSigmoid", "Relu6",
		"PRelu", "MaxPool", "AveragePool", "GlobalMaxPool", "GlobalAveragePool", "BatchNorm", "LRN",
		"Affine", "Power", "Pad", "Crop", "Resize", "Add", "Sub", "Mul", "Div", "Max", "Min", "Sum")
	oldFollowers = set(
		"Relu", "LeakyRelu", "Relu6", "Clip", "PRelu", "MaxPool", "AveragePool", "GlobalMaxPool", "GlobalAveragePool", "Pad", "Crop", "Resize",
		"BatchNorm", "Affine", "LRN", "Dropout", "Identity")
	oldFoldable = set(
		"Relu", "LeakyRelu", "PRelu", "Relu6", "Clip", "Sigmoid", "Tanh", "Elu", "Selu", "Softplus", "HardSigmoid",
		"BatchNorm", "Affine", "LRN", "Dropout", "Identity")
	oldActivations = set("Relu", "LeakyRelu", "Relu6", "Clip", "Sigmoid", "Tanh", "Elu", "Selu", "Softplus", "HardSigmoid")
	oldPools       = set("MaxPool", "AveragePool")
	oldFamily      = map[string]string{
		"Conv": "conv", "ConvTranspose": "conv",
		"MaxPool": "pool", "AveragePool": "pool", "GlobalMaxPool": "pool", "GlobalAveragePool": "pool",
		"BatchNorm": "norm", "LRN": "norm", "Affine": "norm", "Power": "norm",
		"Relu": "act", "LeakyRelu": "act", "Sigmoid": "act", "Tanh": "act", "Elu": "act", "Selu": "act", "Clip": "act",
		"Softplus": "act", "HardSigmoid": "act", "Relu6": "act", "PRelu": "act",
		"Add": "merge", "Sub": "merge", "Mul": "merge", "Div": "merge", "Max": "merge", "Min": "merge", "Sum": "merge", "Concat": "merge",
		"Dense": "dense", "MatMul": "dense",
		"Flatten": "shape", "Reshape": "shape", "Dropout": "shape", "Identity": "shape", "Transpose": "shape", "Pad": "shape",
		"Slice": "shape", "Crop": "shape", "Resize": "shape", "Constant": "shape",
		"Softmax": "output",
	}
	oldElementwise = set("Activation", "PRelu", "BatchNorm", "Affine", "Power") // Go type names
)

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// oldView was analyze.IsView.
func oldView(op Op) bool {
	switch o := op.(type) {
	case *Identity, *Dropout, *Reshape:
		return true
	case *Flatten:
		return !o.ChannelsLast
	}
	return false
}

// oldKeepsBatch was the ONNX importer's keepsBatch.
func oldKeepsBatch(op Op) bool {
	switch op := op.(type) {
	case *Transpose:
		return len(op.Perm) > 0 && op.Perm[0] == 0
	case *Reshape:
		return len(op.Shape) > 0 && op.Shape[0] == 0 && !op.AllowZero
	case *Concat:
		return op.Axis != 0
	case *Slice:
		return op.Axis != 0
	case *Const, *MatMul, *PriorBox, *DetectionOutput:
		return false
	case *Unknown: // added since the tables: nothing is known of its output
		return false
	case *StepSlice: // added since the tables
		return op.Axis != 0
	case *Gather: // added since the tables
		return op.Axis != 0
	case *Reduce: // added since the tables
		return len(op.Axes) > 0 && !slices.Contains(op.Axes, 0)
	}
	return true
}

// everyOp lists an instance of every operator type with every attribute
// value its traits depend on.
func everyOp() []Op {
	ops := []Op{
		&Conv{}, &ConvTranspose{}, &Dense{}, &MatMul{}, &BatchNorm{}, &BatchNorm{NoAffine: true}, &LRN{Size: 5},
		&Softmax{}, &Softmax{Log: true}, &Flatten{}, &Flatten{ChannelsLast: true},
		&Concat{Axis: 1}, &Concat{Axis: 0}, &Dropout{}, &Identity{}, &PRelu{}, &Affine{}, &Power{},
		&Transpose{Perm: []int{0, 2, 3, 1}}, &Transpose{Perm: []int{1, 0}}, &Transpose{},
		&Reshape{Shape: []int{0, -1}}, &Reshape{Shape: []int{0, -1}, AllowZero: true}, &Reshape{Shape: []int{2, -1}},
		&Pad{}, &Slice{Axis: 1}, &Slice{Axis: 0}, &Crop{}, &Resize{}, &Const{}, &Unknown{Type: "Foo"}, &Reduce{Func: ReduceMean, Axes: []int{-1}}, &Reduce{Func: ReduceSum}, &LayerNorm{Axes: []int{-1}}, &LayerNorm{Axes: []int{1}}, &GroupNorm{Groups: 2}, &L2Norm{}, &PriorBox{}, &DetectionOutput{}, &Expand{}, &StepSlice{Axis: 2}, &StepSlice{Axis: 0}, &Gather{Axis: 1}, &Gather{Axis: 0}, &DepthToSpace{Block: 2}, &DynamicQuantize{}, &Quantize{Scale: 1, Hi: 255},
	}
	for _, k := range []PoolKind{MaxPool, AvgPool} {
		ops = append(ops, &Pool{Type: k}, &Pool{Type: k, Global: true})
	}
	for _, f := range []ActFunc{Relu, LeakyRelu, Sigmoid, Tanh, Elu, Selu, Clip, Softplus, HardSigmoid, Relu6, HardSwish, Gelu, GeluTanh, Mish, Swish, Softsign, Exp, Log, Abs, Erf} {
		ops = append(ops, &Activation{Func: f})
	}
	for _, k := range []EltwiseKind{EltAdd, EltSub, EltMul, EltDiv, EltMax, EltMin} {
		ops = append(ops, &Eltwise{Type: k})
	}
	return ops
}

// TestEveryOpIsListed fails when an operator type of this package is
// missing from everyOp (and so from the traits tests): it lists the types
// with a Traits method in the package's source.
func TestEveryOpIsListed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var declared []string
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || fd.Name.Name != "Traits" {
				continue
			}
			star, ok := fd.Recv.List[0].Type.(*ast.StarExpr)
			if !ok {
				t.Errorf("Traits of %v has a value receiver", fd.Recv.List[0].Type)
				continue
			}
			declared = append(declared, star.X.(*ast.Ident).Name)
		}
	}
	listed := map[string]bool{}
	for _, op := range everyOp() {
		listed[reflect.TypeOf(op).Elem().Name()] = true
	}
	if len(declared) < 20 {
		t.Fatalf("found only %d ops with Traits: %v", len(declared), declared)
	}
	for _, name := range declared {
		if !listed[name] {
			t.Errorf("op %s is not in everyOp", name)
		}
	}
}

func TestTraitsMatchTheOldTables(t *testing.T) {
	// LogSoftmax was missing from the UI's colour table (so drawn as
	// "shape"); as a softmax it is now an "output" like Softmax.
	deliberate := map[string]string{"LogSoftmax": FamilyOutput}
	compared := 0
	for _, op := range everyOp() {
		k, typ := op.Kind(), reflect.TypeOf(op).Elem().Name()
		tr := op.Traits()
		name := k + " " + reflect.TypeOf(op).String()
		check := func(what string, got, want bool) {
			if got != want {
				t.Errorf("%s (%+v): %s = %v, before %v", name, op, what, got, want)
			}
		}
		// The Go switches were by type: they hold for every kind. The UI's
		// tables were by kind: an operator added since (an activation
		// function, say) was not in them, and its traits are its own.
		check("view", tr.View, oldView(op))
		check("elementwise", tr.Elementwise, oldElementwise[typ])
		check("keeps_batch", tr.KeepsBatch, oldKeepsBatch(op))
		if _, known := oldFamily[k]; !known && deliberate[k] == "" {
			continue
		}
		compared++
		fam := oldFamily[k]
		if d, ok := deliberate[k]; ok {
			fam = d
		}
		if tr.Family != fam {
			t.Errorf("%s: family %q, the UI had %q", name, tr.Family, fam)
		}
		check("passthrough", tr.Passthrough, oldPassthrough[k])
		check("channelwise", tr.Channelwise, oldChannelwise[k])
		check("keeps_range", tr.KeepsRange, oldFollowers[k])
		check("foldable", tr.Foldable, oldFoldable[k])
		// target.js viewKind: Conv → conv, activations → relu, the two
		// windowed pools → pool.
		explain := ""
		switch {
		case k == "Conv":
			explain = "conv"
		case oldActivations[k]:
			explain = "relu"
		case oldPools[k]:
			explain = "pool"
		}
		if tr.Explain != explain {
			t.Errorf("%s: explain %q, before %q", name, tr.Explain, explain)
		}
	}
	if compared < 45 {
		t.Errorf("only %d ops compared with the UI's tables", compared)
	}
}

// A view is passed through and an element-wise op is channel-wise: the
// weaker fact follows from the stronger.
func TestTraitsImplications(t *testing.T) {
	for _, op := range everyOp() {
		tr := op.Traits()
		if tr.View && !tr.Passthrough {
			t.Errorf("%s: a view that is not passed through", op.Kind())
		}
		if tr.Elementwise && !tr.Channelwise {
			t.Errorf("%s: element-wise but not channel-wise", op.Kind())
		}
		if tr.Family == "" || tr.Family == FamilyInput {
			t.Errorf("%s: family %q", op.Kind(), tr.Family)
		}
	}
}
