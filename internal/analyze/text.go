package analyze

// Text forms of a report: the aligned table, Markdown and CSV that
// `convscope analyze --format table|markdown|csv` prints and the server's
// Scope API answers with ?format= (one implementation for both).

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/convscope/convscope/internal/graph"
)

// Formats lists the names Write accepts.
var Formats = []string{"table", "json", "csv", "markdown", "dot"}

// Write writes r in the named format ("table", "json", "csv", "markdown" or
// "md"); source names the model file (or preset) and fmtName its format.
func Write(w io.Writer, r *Report, format, source, fmtName string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(JSON(r, fmtName))
	case "csv":
		return WriteCSV(w, r)
	case "markdown", "md":
		return WriteMarkdown(w, r, source, fmtName)
	case "table":
		return WriteTable(w, r, source, fmtName)
	case "dot":
		return WriteDOT(w, r)
	}
	return fmt.Errorf("unknown format %q (table, json, csv, markdown, dot)", format)
}

// chw writes a per-image shape as [C, H, W]; a vector is [C, 1, 1].
func chw(s graph.Shape) []int { return CHW(s) }

// shapeString writes a per-image shape as C×H×W.
func shapeString(s graph.Shape) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = strconv.Itoa(d)
	}
	if len(parts) == 0 {
		return "scalar"
	}
	return strings.Join(parts, "×")
}

// Thousands writes n with comma separators.
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// human writes n with a decimal unit: 724.4M, 15.47G.
func human(n int64) string {
	f := float64(n)
	for _, u := range []struct {
		div  float64
		unit string
	}{{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}} {
		if f >= u.div {
			v := f / u.div
			if v < 10 {
				return strconv.FormatFloat(v, 'f', 2, 64) + u.unit
			}
			return strconv.FormatFloat(v, 'f', 1, 64) + u.unit
		}
	}
	return strconv.FormatInt(n, 10)
}

// humanBytes writes a byte count in decimal units (kB, MB, GB).
func humanBytes(n int64) string {
	if n < 1000 {
		return strconv.FormatInt(n, 10) + " B"
	}
	return human(n) + "B"
}

// otherOps is the arithmetic that is not MACs.
func otherOps(c graph.Cost) int64 {
	return c.Additions + c.Comparisons + c.Divisions + c.Exponentials
}

type row struct{ cells []string }

// layerRows are the table's columns and rows.
func layerRows(r *Report) ([]string, []row) {
	head := []string{"Layer (type)", "Output shape", "Params", "MACs", "Other ops", "Activations"}
	conv := !r.Convention.IsDefault()
	if conv { // the convention's count follows the MACs
		head = slices.Insert(head, 4, r.Convention.Label())
	}
	var rows []row
	dash := func(n int64, f func(int64) string) string {
		if n == 0 {
			return "—"
		}
		return f(n)
	}
	for _, l := range r.Layers {
		if l.Unknown {
			rows = append(rows, row{[]string{
				fmt.Sprintf("%s (%s)", l.Name, l.Type), "?", dash(l.Params, Thousands), "?", "?", "?",
			}})
			if conv {
				rows[len(rows)-1].cells = slices.Insert(rows[len(rows)-1].cells, 4, "?")
			}
			continue
		}
		out := "—"
		if len(l.OutputShapes) > 0 {
			out = shapeString(l.OutputShapes[0])
			if len(l.OutputShapes) > 1 {
				out += fmt.Sprintf(" (+%d)", len(l.OutputShapes)-1)
			}
		}
		act := humanBytes(l.ActivationBytes)
		if l.Shared {
			act += " (in place)"
		}
		rows = append(rows, row{[]string{
			fmt.Sprintf("%s (%s)", l.Name, l.Type), out,
			dash(l.Params, Thousands), dash(l.MACs, human), dash(otherOps(l.Cost), human), act,
		}})
		if conv {
			rows[len(rows)-1].cells = slices.Insert(rows[len(rows)-1].cells, 4, dash(r.Convention.Ops(&l), human))
		}
	}
	return head, rows
}

// Warning is the line that names the operators convscope cannot infer or
// run ("" when there is none).
func Warning(r *Report) string {
	if len(r.Unsupported) == 0 {
		return ""
	}
	return fmt.Sprintf("Warning: unsupported operator(s) %s: their layers and the layers after them show \"?\" (shapes and costs unknown, left out of the totals); the model cannot run", strings.Join(r.Unsupported, ", "))
}

// Totals are the report's totals as (label, value) lines.
func Totals(r *Report) [][2]string {
	t := [][2]string{
		{"Total params", fmt.Sprintf("%s (%s)", Thousands(r.Params), human(r.Params))},
		{"Parameter memory", humanBytes(r.ParamBytes)},
		{"MACs per image", fmt.Sprintf("%s (%s)", Thousands(r.MACs), human(r.MACs))},
		{"Other ops per image", fmt.Sprintf("%s (%s additions, %s comparisons, %s divisions, %s exponentials)",
			human(otherOps(r.Cost)), human(r.Cost.Additions), human(r.Cost.Comparisons), human(r.Cost.Divisions), human(r.Cost.Exponentials))},
		{"Activations per image", humanBytes(r.ActivationBytes)},
		{"Peak activation memory", fmt.Sprintf("%s (at %s; batch 1, values freed after last use)", humanBytes(r.PeakActivationBytes), r.PeakLayer)},
	}
	if !r.Convention.IsDefault() {
		ops := r.Ops()
		opt := "--count " + r.Convention.Unit()
		if len(r.Convention.Include) > 0 {
			opt += " --include " + strings.Join(r.Convention.Include, ",")
		}
		t = slices.Insert(t, 4, [2]string{r.Convention.Label() + " per image", fmt.Sprintf("%s (%s; %s)", Thousands(ops), human(ops), opt)})
	}
	return t
}

func inputsLine(r *Report) string {
	var parts []string
	for _, in := range r.Inputs {
		parts = append(parts, fmt.Sprintf("%q %s", in.Name, shapeString(in.Shape)))
	}
	return strings.Join(parts, ", ")
}

// WriteTable writes the report as an aligned text table (the CLI default).
func WriteTable(w io.Writer, r *Report, file, fmtName string) error {
	head, rows := layerRows(r)
	width := make([]int, len(head))
	for i, h := range head {
		width[i] = runeLen(h)
	}
	for _, rw := range rows {
		for i, c := range rw.cells {
			width[i] = max(width[i], runeLen(c))
		}
	}
	total := 0
	for _, wd := range width {
		total += wd + 2
	}
	total -= 2
	line := func(cells []string) string {
		var b strings.Builder
		for i, c := range cells {
			pad := strings.Repeat(" ", width[i]-runeLen(c))
			if i == 0 || i == 1 { // text: left-aligned
				b.WriteString(c + pad)
			} else { // numbers: right-aligned
				b.WriteString(pad + c)
			}
			if i < len(cells)-1 {
				b.WriteString("  ")
			}
		}
		return strings.TrimRight(b.String(), " ")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s — %s (%s), input %s\n", r.Name, filepath.Base(file), fmtName, inputsLine(r))
	b.WriteString(strings.Repeat("=", total) + "\n")
	b.WriteString(line(head) + "\n")
	b.WriteString(strings.Repeat("=", total) + "\n")
	for _, rw := range rows {
		b.WriteString(line(rw.cells) + "\n")
	}
	b.WriteString(strings.Repeat("=", total) + "\n")
	t := Totals(r)
	lw := 0
	for _, kv := range t {
		lw = max(lw, runeLen(kv[0]))
	}
	for _, kv := range t {
		fmt.Fprintf(&b, "%s:%s %s\n", kv[0], strings.Repeat(" ", lw-runeLen(kv[0])), kv[1])
	}
	b.WriteString(strings.Repeat("=", total) + "\n")
	if wn := Warning(r); wn != "" {
		b.WriteString(wn + "\n")
	}
	for _, n := range r.Notes {
		b.WriteString("note: " + graph.NoteText(n) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func runeLen(s string) int { return len([]rune(s)) }

// WriteMarkdown writes the report as a Markdown table and a list of totals.
func WriteMarkdown(w io.Writer, r *Report, file, fmtName string) error {
	head, rows := layerRows(r)
	esc := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n\n`%s` (%s), input %s\n\n", esc(r.Name), filepath.Base(file), fmtName, esc(inputsLine(r)))
	b.WriteString("| " + strings.Join(head, " | ") + " |\n")
	b.WriteString("|---|---" + strings.Repeat("|--:", len(head)-2) + "|\n")
	for _, rw := range rows {
		cells := make([]string, len(rw.cells))
		for i, c := range rw.cells {
			cells[i] = esc(c)
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	b.WriteString("\n")
	for _, kv := range Totals(r) {
		fmt.Fprintf(&b, "- **%s:** %s\n", kv[0], esc(kv[1]))
	}
	if wn := Warning(r); wn != "" {
		fmt.Fprintf(&b, "\n**%s**\n", esc(wn))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteCSV writes one CSV row per layer, with exact integers.
func WriteCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"name", "type", "kind", "inputs", "output", "params", "macs", "additions", "comparisons", "divisions", "exponentials", "param_bytes", "activation_bytes", "bias_adds", "ops"})
	i64 := func(n int64) string { return strconv.FormatInt(n, 10) }
	for i, l := range r.Layers {
		out := ""
		if l.Unknown {
			out = "?"
		} else if len(l.OutputShapes) > 0 {
			out = strings.ReplaceAll(shapeString(graph.Shape(chw(l.OutputShapes[0]))), "×", "x")
		}
		cw.Write([]string{l.Name, l.Type, l.Kind, strings.Join(l.Inputs, " "), out,
			i64(l.Params), i64(l.MACs), i64(l.Cost.Additions), i64(l.Cost.Comparisons), i64(l.Cost.Divisions),
			i64(l.Cost.Exponentials), i64(l.ParamBytes), i64(l.ActivationBytes), i64(l.BiasAdds), i64(r.Convention.Ops(&r.Layers[i]))})
	}
	cw.Flush()
	return cw.Error()
}

// WriteDOT writes the graph in Graphviz's DOT language (`dot -Tsvg`): one
// box per layer (name, type, output shape, parameters and MACs), one edge
// per value read, labelled with its shape.
func WriteDOT(w io.Writer, r *Report) error {
	var b strings.Builder
	q := strconv.Quote
	fmt.Fprintf(&b, "digraph %s {\n  rankdir=TB;\n  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f5f6f7\", fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=8, color=\"#8a8f96\"];\n", q(r.Name))
	producer := map[string]int{}
	shapeOf := map[string]graph.Shape{}
	for i, l := range r.Layers {
		label := l.Name + "\n" + l.Type
		if l.Unknown {
			label += " ?"
		} else if len(l.OutputShapes) > 0 {
			label += " " + shapeString(l.OutputShapes[0])
		}
		if l.Params > 0 {
			label += "\n" + human(l.Params) + " params"
		}
		if l.MACs > 0 {
			label += ", " + human(l.MACs) + " MACs"
		}
		fmt.Fprintf(&b, "  n%d [label=%s];\n", i, q(label))
		for k, v := range l.Outputs {
			producer[v] = i
			if k < len(l.OutputShapes) {
				shapeOf[v] = l.OutputShapes[k]
			}
		}
	}
	for i, l := range r.Layers {
		for _, v := range l.Inputs {
			p, ok := producer[v]
			if !ok {
				continue
			}
			label := "?"
			if s, ok := shapeOf[v]; ok && s != nil {
				label = shapeString(s)
			}
			fmt.Fprintf(&b, "  n%d -> n%d [label=%s];\n", p, i, q(label))
		}
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}
