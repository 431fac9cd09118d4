package analyze

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// DiffFormats lists the names WriteDiff accepts.
var DiffFormats = []string{"table", "json", "markdown"}

// signed writes a delta with its sign: +1.23M, −512, 0.
func signed(n int64, f func(int64) string) string {
	switch {
	case n > 0:
		return "+" + f(n)
	case n < 0:
		return "−" + f(-n)
	}
	return "0"
}

func shapeOf(e *DiffEntry) string {
	if e == nil {
		return "—"
	}
	if e.Output == nil {
		return "?"
	}
	parts := make([]string, len(e.Output))
	for i, d := range e.Output {
		parts[i] = fmt.Sprint(d)
	}
	return strings.Join(parts, "×")
}

// diffRows are the summary lines and the table of the layers that differ.
func diffRows(d *Diff) (summary [][4]string, head []string, rows [][]string) {
	ops := "Ops (" + d.Count
	if len(d.Include) > 0 {
		ops += "+" + strings.Join(d.Include, ",")
	}
	ops += ")"
	summary = [][4]string{
		{"", "A: " + d.A.Name, "B: " + d.B.Name, "B − A"},
		{"Layers", fmt.Sprint(d.A.Layers), fmt.Sprint(d.B.Layers), signed(int64(d.Delta.Layers), func(n int64) string { return fmt.Sprint(n) })},
		{"Params", Thousands(d.A.Params), Thousands(d.B.Params), signed(d.Delta.Params, Thousands)},
		{"MACs", Thousands(d.A.MACs), Thousands(d.B.MACs), signed(d.Delta.MACs, Thousands)},
	}
	if d.Count != "macs" || len(d.Include) > 0 {
		summary = append(summary, [4]string{ops, Thousands(d.A.Ops), Thousands(d.B.Ops), signed(d.Delta.Ops, Thousands)})
	}
	summary = append(summary,
		[4]string{"Parameter memory", humanBytes(d.A.ParamBytes), humanBytes(d.B.ParamBytes), signed(d.Delta.ParamBytes, humanBytes)},
		[4]string{"Activations", humanBytes(d.A.ActivationBytes), humanBytes(d.B.ActivationBytes), signed(d.Delta.ActivationBytes, humanBytes)},
		[4]string{"Peak activation memory", humanBytes(d.A.PeakActivationBytes), humanBytes(d.B.PeakActivationBytes), signed(d.Delta.PeakActivationBytes, humanBytes)},
	)
	head = []string{"", "Layer A", "Layer B", "Shape A → B", "ΔParams", "ΔMACs", "ΔActivations", "What changed"}
	mark := map[string]string{DiffChanged: "~", DiffAdded: "+", DiffRemoved: "-"}
	for _, l := range d.Layers {
		if l.Status == DiffSame {
			continue
		}
		name := func(e *DiffEntry) string {
			if e == nil {
				return "—"
			}
			return e.Name + " (" + e.Type + ")"
		}
		var what []string
		for _, c := range l.Changes {
			what = append(what, c.What+": "+c.A+" → "+c.B)
		}
		if l.Match != "" && l.Match != "name" {
			what = append(what, "matched by "+l.Match)
		}
		rows = append(rows, []string{mark[l.Status], name(l.A), name(l.B), shapeOf(l.A) + " → " + shapeOf(l.B),
			signed(l.Delta.Params, Thousands), signed(l.Delta.MACs, human), signed(l.Delta.ActivationBytes, humanBytes), strings.Join(what, "; ")})
	}
	return summary, head, rows
}

// WriteDiff writes d as "table" (aligned text), "markdown" or "json".
func WriteDiff(w io.Writer, d *Diff, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(d)
	case "table", "markdown", "md":
	default:
		return fmt.Errorf("unknown format %q (table, json, markdown)", format)
	}
	summary, head, rows := diffRows(d)
	count := fmt.Sprintf("%d same, %d changed, %d added, %d removed", d.Same, d.Changed, d.Added, d.Removed)
	var b strings.Builder
	if format != "table" {
		esc := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
		fmt.Fprintf(&b, "## %s → %s\n\n`%s` → `%s`: %s layers\n\n", esc(d.A.Name), esc(d.B.Name), esc(d.A.Source), esc(d.B.Source), count)
		for i, s := range summary {
			for k := range s {
				s[k] = esc(s[k])
			}
			b.WriteString("| " + strings.Join(s[:], " | ") + " |\n")
			if i == 0 {
				b.WriteString("|---|--:|--:|--:|\n")
			}
		}
		if len(rows) > 0 {
			b.WriteString("\n| " + strings.Join(head, " | ") + " |\n|---|---|---|---|--:|--:|--:|---|\n")
			for _, r := range rows {
				for i := range r {
					r[i] = esc(r[i])
				}
				b.WriteString("| " + strings.Join(r, " | ") + " |\n")
			}
		}
		for _, n := range d.Notes {
			b.WriteString("\nnote: " + esc(n) + "\n")
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "%s (%s) → %s (%s): %s layers\n\n", d.A.Name, d.A.Source, d.B.Name, d.B.Source, count)
	b.WriteString(aligned(summary4(summary), 1))
	if len(rows) > 0 {
		b.WriteString("\n")
		b.WriteString(aligned(append([][]string{head}, rows...), 4))
	}
	for _, n := range d.Notes {
		b.WriteString("note: " + n + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func summary4(s [][4]string) [][]string {
	out := make([][]string, len(s))
	for i := range s {
		out[i] = s[i][:]
	}
	return out
}

// aligned writes rows as columns; columns from firstNum to the last but
// one align right (the last, free text, is left as is).
func aligned(rows [][]string, firstNum int) string {
	var width []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], runeLen(c))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		var line strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-runeLen(c))
			if i >= firstNum && (i < len(r)-1 || firstNum == 1) {
				line.WriteString(pad + c)
			} else {
				line.WriteString(c + pad)
			}
			if i < len(r)-1 {
				line.WriteString("  ")
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
	return b.String()
}
