package main

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/analyze"
	"github.com/convscope/convscope/internal/zoo"
)

func diffCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), append([]string{"diff"}, args...), stdio{strings.NewReader(""), &out, &errb})
	return out.String(), errb.String(), err
}

func diffJSON(t *testing.T, args ...string) analyze.Diff {
	t.Helper()
	out, stderr, err := diffCLI(t, append([]string{"--format", "json"}, args...)...)
	if err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	var d analyze.Diff
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("%v: %.300s", err, out)
	}
	return d
}

// checkDeltaSums: the per-layer deltas add up to the totals' deltas.
func checkDeltaSums(t *testing.T, d analyze.Diff) {
	t.Helper()
	var p, m, o, a int64
	for _, l := range d.Layers {
		p += l.Delta.Params
		m += l.Delta.MACs
		o += l.Delta.Ops
		a += l.Delta.ActivationBytes
	}
	if p != d.Delta.Params || m != d.Delta.MACs || o != d.Delta.Ops || a != d.Delta.ActivationBytes {
		t.Errorf("layer deltas %d %d %d %d, total deltas %+v", p, m, o, a, d.Delta)
	}
	if d.Same+d.Changed+d.Added+d.Removed != len(d.Layers) || d.Same+d.Changed+d.Added != d.B.Layers || d.Same+d.Changed+d.Removed != d.A.Layers {
		t.Errorf("counts %d/%d/%d/%d for %d layers (A %d, B %d)", d.Same, d.Changed, d.Added, d.Removed, len(d.Layers), d.A.Layers, d.B.Layers)
	}
}

func byStatus(d analyze.Diff, status string) []analyze.DiffLayer {
	var out []analyze.DiffLayer
	for _, l := range d.Layers {
		if l.Status == status {
			out = append(out, l)
		}
	}
	return out
}

func TestDiffResNet50vs101(t *testing.T) {
	d := diffJSON(t, "preset:resnet50", "preset:resnet101")
	checkDeltaSums(t, d)
	count := func(name string) (int64, int64) {
		g, err := zoo.Preset(name, false)
		if err != nil {
			t.Fatal(err)
		}
		p, m, err := zoo.Count(g)
		if err != nil {
			t.Fatal(err)
		}
		return p, m
	}
	p50, m50 := count("resnet50")
	p101, m101 := count("resnet101")
	if d.Delta.Params != p101-p50 || d.Delta.MACs != m101-m50 || d.Delta.Params != 44549160-25557032 {
		t.Errorf("deltas params %d MACs %d, want %d %d", d.Delta.Params, d.Delta.MACs, p101-p50, m101-m50)
	}
	// ResNet-101 has 23 blocks in layer3 where ResNet-50 has 6: blocks 6…22
	// are added, 10 nodes each (3 × conv, bn, relu; add; relu).
	added := byStatus(d, analyze.DiffAdded)
	re := regexp.MustCompile(`^layer3\.([0-9]+)\.`)
	for _, l := range added {
		m := re.FindStringSubmatch(l.B.Name)
		if m == nil || len(m[1]) == 1 && m[1] < "6" {
			t.Errorf("added %s: not a block layer3.6…22", l.B.Name)
		}
	}
	if len(added) != 17*10 || d.Removed != 0 {
		t.Errorf("%d added (want 170), %d removed", len(added), d.Removed)
	}
	// layer4.0 now reads layer3.22's output: its conv1 and downsample conv
	// are rewired, nothing else changes.
	changed := byStatus(d, analyze.DiffChanged)
	if len(changed) != 2 || changed[0].B.Name != "layer4.0.conv1" || changed[1].B.Name != "layer4.0.downsample.0" ||
		len(changed[0].Changes) != 1 || changed[0].Changes[0] != (analyze.DiffChange{What: "inputs", A: "layer3.5.relu", B: "layer3.22.relu"}) {
		t.Errorf("changed: %+v", changed)
	}
}

func TestDiffVGG16vs19(t *testing.T) {
	d := diffJSON(t, "--count", "flops", "preset:vgg16", "preset:vgg19")
	checkDeltaSums(t, d)
	var names []string
	for _, l := range byStatus(d, analyze.DiffAdded) {
		names = append(names, l.B.Name)
	}
	if strings.Join(names, " ") != "conv3_4 relu3_4 conv4_4 relu4_4 conv5_4 relu5_4" {
		t.Errorf("added %v", names)
	}
	// By hand: conv3_4 256·256·9 + 256, conv4_4 and conv5_4 512·512·9 + 512;
	// MACs 56²·256·256·9 + 28²·512·512·9 + 14²·512·512·9.
	wantP := int64(256*256*9+256) + 2*(512*512*9+512)
	wantM := int64(56*56*256*256*9 + 28*28*512*512*9 + 14*14*512*512*9)
	if d.Delta.Params != wantP || d.Delta.MACs != wantM || d.Delta.Ops != 2*wantM || d.Count != "flops" {
		t.Errorf("deltas params %d MACs %d ops %d (%s), want %d %d %d", d.Delta.Params, d.Delta.MACs, d.Delta.Ops, d.Count, wantP, wantM, 2*wantM)
	}
	var pools []string
	for _, l := range byStatus(d, analyze.DiffChanged) {
		if len(l.Changes) != 1 || l.Changes[0].What != "inputs" {
			t.Errorf("%s: changes %+v", l.B.Name, l.Changes)
		}
		pools = append(pools, l.B.Name)
	}
	if strings.Join(pools, " ") != "pool3 pool4 pool5" || d.Removed != 0 {
		t.Errorf("changed %v, %d removed", pools, d.Removed)
	}
}

// TestDiffPrototxtEdit: smallNet before and after one edit.
func TestDiffPrototxtEdit(t *testing.T) {
	a := writeFile(t, "a.prototxt", smallNet)
	// conv1 3×3 pad 1 → 5×5 pad 2: same output shape, so only conv1 changes:
	// params 16·3·(25 − 9) more, MACs 32·32·16·3·(25 − 9) more.
	b := writeFile(t, "b.prototxt", strings.Replace(smallNet, "kernel_size: 3 pad: 1", "kernel_size: 5 pad: 2", 1))
	d := diffJSON(t, a, b)
	checkDeltaSums(t, d)
	changed := byStatus(d, analyze.DiffChanged)
	if len(changed) != 1 || d.Added != 0 || d.Removed != 0 || changed[0].B.Name != "conv1" {
		t.Fatalf("changed %+v, %d added, %d removed", changed, d.Added, d.Removed)
	}
	c := changed[0]
	if c.Delta.Params != 16*3*16 || c.Delta.MACs != 32*32*16*3*16 || d.Delta.Params != c.Delta.Params || d.Delta.MACs != c.Delta.MACs || d.Delta.ActivationBytes != 0 {
		t.Errorf("conv1 delta %+v, totals %+v", c.Delta, d.Delta)
	}
	if len(c.Changes) != 2 || c.Changes[0].What != "attrs" || !strings.Contains(c.Changes[0].A, "[3,3]") || !strings.Contains(c.Changes[0].B, "[5,5]") || c.Changes[1].What != "params" {
		t.Errorf("conv1 changes %+v", c.Changes)
	}
	// Renaming a layer and removing the ReLU: the renamed pool is matched by
	// structure, the ReLU is removed, fc then reads the pool directly.
	e := strings.Replace(smallNet, `layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }`+"\n", "", 1)
	e = strings.ReplaceAll(e, `"pool1"`, `"downsample"`)
	d = diffJSON(t, a, writeFile(t, "c.prototxt", e))
	checkDeltaSums(t, d)
	rem := byStatus(d, analyze.DiffRemoved)
	if len(rem) != 1 || rem[0].A.Name != "relu1" || d.Added != 0 {
		t.Errorf("removed %+v, %d added", rem, d.Added)
	}
	for _, l := range byStatus(d, analyze.DiffChanged) {
		if l.B.Name == "downsample" && (l.Match != "structure" || l.Changes[0] != (analyze.DiffChange{What: "name", A: "pool1", B: "downsample"})) {
			t.Errorf("downsample: %+v", l)
		}
	}
	// Text forms.
	out, _, err := diffCLI(t, a, b)
	if err != nil || !strings.Contains(out, "0 added, 0 removed") || !strings.Contains(out, "~  conv1 (Convolution)") || !strings.Contains(out, "+768") {
		t.Errorf("table (%v):\n%s", err, out)
	}
	out, _, err = diffCLI(t, "--format", "markdown", a, b)
	if err != nil || !strings.Contains(out, "| Params | 4") || !strings.Contains(out, "| ~ | conv1 (Convolution) |") {
		t.Errorf("markdown (%v):\n%s", err, out)
	}
}

func TestDiffBadArgs(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"preset:vgg16"}, "two models"},
		{[]string{"--format", "csv", "preset:vgg16", "preset:vgg19"}, "unknown --format"},
		{[]string{"--count", "gmacs", "preset:vgg16", "preset:vgg19"}, "unknown count"},
		{[]string{"preset:vgg16", "preset:nosuch"}, "nosuch"},
		{[]string{"preset:vgg16", "/no/such/file.onnx"}, "file.onnx"},
	} {
		_, stderr, err := diffCLI(t, c.args...)
		if err == nil || !strings.Contains(err.Error()+stderr, c.want) {
			t.Errorf("%v: error %v %s, want %q", c.args, err, stderr, c.want)
		}
	}
}
