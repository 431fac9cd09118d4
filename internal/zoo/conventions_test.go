package zoo

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/convscope/convscope/internal/analyze"
	"github.com/convscope/convscope/internal/testref"
)

// The tools' counting rules, re-implemented from their source (cited in
// docs/presets.md#counting-conventions) and applied to the layers of our
// presets, which follow torchvision's networks. Where torchvision's module
// differs from the preset (a functional call, a module the preset does not
// need) the rule says so. These are the oracle the table's published figures
// are checked against; our own conventions are checked against the table.

// torchvision's vgg16 has an AdaptiveAvgPool2d((7, 7)) over its 512×7×7
// features that the Caffe-derived preset does not need (it is an identity
// at 224×224): every tool that counts pooling counts it.
const vgg16AdaptivePoolIn = 512 * 7 * 7

// toolRules counts preset p as the tool counts torchvision's network.
func toolRules(tool, p string, r *analyze.Report) int64 {
	var n int64
	for _, l := range r.Layers {
		in := int64(0)
		if len(l.InputShapes) > 0 && l.InputShapes[0] != nil {
			in = int64(l.InputShapes[0].Elems())
		}
		out := l.ActivationElems
		switch tool {
		case "ptflops-pytorch":
			// pytorch_ops.py: conv and linear hooks add the bias; BN
			// 2·numel (affine); ReLU numel; pooling input numel. patch_functional
			// wraps F.relu, F.max_pool2d, F.adaptive_avg_pool2d, which the
			// modules nn.ReLU, nn.MaxPool2d, nn.AdaptiveAvgPool2d call in their
			// forward: those count twice. nn.ReLU6 calls F.hardtanh (not
			// wrapped): once. mobilenet_v2 pools with F.adaptive_avg_pool2d
			// (no module): once. `out += identity` is not counted.
			switch l.Kind {
			case "Conv", "Dense":
				n += l.MACs + l.BiasAdds
			case "BatchNorm":
				n += 2 * out
			case "Relu":
				n += 2 * out
			case "Relu6":
				n += out
			case "MaxPool":
				n += 2 * in
			case "GlobalAveragePool":
				if p == "mobilenetv2" {
					n += in
				} else {
					n += 2 * in
				}
			}
		case "ptflops-aten":
			// aten_ops.py: aten.convolution and aten.addmm, bias included.
			switch l.Kind {
			case "Conv", "Dense":
				n += l.MACs + l.BiasAdds
			}
		case "fvcore":
			// flop_count.py _DEFAULT_SUPPORTED_OPS, jit_handles.py: conv and
			// linear without bias; batch_norm in eval mode with affine
			// 2·numel; adaptive_avg_pool2d input numel; nothing else here.
			switch l.Kind {
			case "Conv", "Dense":
				n += l.MACs
			case "BatchNorm":
				n += 2 * out
			case "GlobalAveragePool":
				n += in
			}
		case "thop":
			// thop/count_hooks.py at 1023a53: conv Cout·H·W·(Cin/g·k² + bias);
			// BN 4·numel; ReLU, ReLU6, MaxPool zero; adaptive average pool
			// (k+1) per output (k = window); Linear (2·in−1) per output.
			// torchvision 0.4's mobilenet_v2 pooled with x.mean([2, 3]) (no
			// module: not counted).
			switch l.Kind {
			case "Conv":
				n += l.MACs + l.BiasAdds
			case "Dense":
				n += 2*l.MACs - out
			case "BatchNorm":
				n += 4 * out
			case "GlobalAveragePool":
				if p != "mobilenetv2" {
					n += (in/out + 1) * out
				}
			}
		default:
			panic("unknown tool " + tool)
		}
	}
	if p == "vgg16" {
		switch tool {
		case "ptflops-pytorch":
			n += 2 * vgg16AdaptivePoolIn
		case "fvcore":
			n += vgg16AdaptivePoolIn
		case "thop":
			n += (1 + 1) * vgg16AdaptivePoolIn
		}
	}
	return n
}

type conventionRow struct {
	tool, preset, published, count, include string
	rules, ours                             int64
	match                                   bool
}

var (
	convToolRE  = regexp.MustCompile(`^\[?(ptflops-pytorch|ptflops-aten|fvcore|thop)\b`)
	convFlagsRE = regexp.MustCompile("^`--count (macs|flops)(?: --include ([a-z,]+))?`$")
)

// readConventionTable parses the table of docs/presets.md's "Counting
// conventions" section.
func readConventionTable(t *testing.T) []conventionRow {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(testref.Root(t), "docs", "presets.md"))
	if err != nil {
		t.Fatal(err)
	}
	var rows []conventionRow
	in := false
	num := func(s string) int64 {
		v, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
		if err != nil {
			t.Fatalf("%q is not a whole number", s)
		}
		return v
	}
	for _, line := range strings.Split(string(text), "\n") {
		if strings.HasPrefix(line, "## ") {
			in = strings.HasPrefix(line, "## Counting conventions")
			continue
		}
		if !in || !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| Tool") || strings.HasPrefix(line, "| ---") {
			continue
		}
		c := strings.Split(strings.Trim(line, "| "), " | ")
		if len(c) != 7 {
			t.Fatalf("conventions row %q: want 7 cells", line)
		}
		m := convToolRE.FindStringSubmatch(c[0])
		f := convFlagsRE.FindStringSubmatch(c[4])
		if m == nil || f == nil {
			t.Fatalf("conventions row %q: tool or flags not understood", line)
		}
		rows = append(rows, conventionRow{tool: m[1], preset: strings.Trim(c[1], "`"), published: c[2],
			rules: num(c[3]), count: f[1], include: f[2], ours: num(c[5]), match: strings.HasPrefix(c[6], "yes")})
	}
	return rows
}

// gigaRound writes n in G with two decimals, as ptflops and thop print.
func gigaRound(n int64) string { return fmt.Sprintf("%.2f G", math.Round(float64(n)/1e7)/100) }

// TestConventionsMatchTools checks docs/presets.md's table of counting
// conventions: each tool's rules on our preset give its published figure
// (two decimals of G), our count with the flags the table names is the one
// it states, and "yes" marks exactly the rows where that count rounds to
// the published figure.
func TestConventionsMatchTools(t *testing.T) {
	rows := readConventionTable(t)
	if len(rows) < 9 {
		t.Fatalf("docs/presets.md lists %d convention rows, want at least 9", len(rows))
	}
	for _, row := range rows {
		t.Run(row.tool+"/"+row.preset, func(t *testing.T) {
			g, err := Preset(row.preset, false)
			if err != nil {
				t.Fatal(err)
			}
			r, err := analyze.Analyze(g)
			if err != nil {
				t.Fatal(err)
			}
			rules := toolRules(row.tool, row.preset, r)
			if rules != row.rules {
				t.Errorf("the tool's rules give %d, the table says %d", rules, row.rules)
			}
			if row.published != "—" && gigaRound(rules) != row.published {
				t.Errorf("the tool's rules give %d = %s, published %s", rules, gigaRound(rules), row.published)
			}
			if r.Convention, err = analyze.ParseConvention(row.count, row.include); err != nil {
				t.Fatal(err)
			}
			ours := r.Ops()
			if ours != row.ours {
				t.Errorf("--count %s --include %s gives %d, the table says %d", row.count, row.include, ours, row.ours)
			}
			want := row.published
			if want == "—" {
				want = gigaRound(rules)
			}
			if match := gigaRound(ours) == want; match != row.match {
				t.Errorf("ours %d = %s vs %s: the table's match column says %v", ours, gigaRound(ours), want, row.match)
			}
		})
	}
}
