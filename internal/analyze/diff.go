package analyze

// Diff compares two analysed models layer by layer (`convscope diff`, the
// Scope's Compare mode, POST /api/diff).
//
// Matching, in three passes over the layers (graph inputs included) in
// topological order:
//
//  1. by name: a layer of A and a layer of B with the same name are a pair;
//  2. by structure: over the layers left unmatched on both sides (each in
//     its topological order), a longest common subsequence of their
//     signatures (operator kind and attributes, e.g. Conv with kernel 3×3,
//     64 outputs, stride 1) pairs layers that are the same operation under
//     another name;
//  3. by kind: between two consecutive pairs of pass 2, the layers still
//     unmatched are paired by a longest common subsequence of their kinds
//     alone (a Conv whose kernel changed under a new name).
//
// A pair is "same" or "changed" — changed when the name, the operator kind, its
// attributes, the output shape, the parameter count or the wiring differs
// (the wiring: the layers producing its inputs are not each other's pairs,
// as when VGG-19 inserts conv3_4 before pool3). A layer of A alone is
// "removed", of B alone "added". Layers lists the pairs in B's order, each
// removed layer after the pair that precedes it in A.

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
)

// The statuses of DiffLayer.
const (
	DiffSame    = "same"
	DiffChanged = "changed"
	DiffAdded   = "added"
	DiffRemoved = "removed"
)

// maxLCSCells bounds the table of the structural matching (pass 2): past
// it (two models with thousands of differently named layers) the layers
// are not matched by structure, and Diff.Notes says so.
const maxLCSCells = 2 << 20

// DiffTotals are one model's totals (per image) or their difference B − A.
type DiffTotals struct {
	Params              int64 `json:"params"`
	ParamBytes          int64 `json:"param_bytes"`
	MACs                int64 `json:"macs"`
	Ops                 int64 `json:"ops"`
	ActivationBytes     int64 `json:"activation_bytes"`
	PeakActivationBytes int64 `json:"peak_activation_bytes"`
	Layers              int   `json:"layers"`
}

// DiffModel names one side and gives its totals.
type DiffModel struct {
	Name   string `json:"name"`
	Source string `json:"source"`
	Format string `json:"format"`
	DiffTotals
}

// DiffEntry is one side of a DiffLayer.
type DiffEntry struct {
	// Index is the layer's index in its report's Layers (the Scope API's
	// layers[i] and graph.nodes[i]).
	Index           int    `json:"index"`
	Name            string `json:"name"`
	Type            string `json:"type"`
	Kind            string `json:"kind"`
	Output          []int  `json:"output"`
	Params          int64  `json:"params"`
	MACs            int64  `json:"macs"`
	Ops             int64  `json:"ops"`
	ActivationBytes int64  `json:"activation_bytes"`
}

// DiffChange is one difference of a changed pair: What is "name", "kind",
// "attrs", "shape", "params" or "inputs"; A and B are the values.
type DiffChange struct {
	What string `json:"what"`
	A    string `json:"a"`
	B    string `json:"b"`
}

// DiffDelta is B − A of a layer (a missing side counts 0).
type DiffDelta struct {
	Params          int64 `json:"params"`
	MACs            int64 `json:"macs"`
	Ops             int64 `json:"ops"`
	ActivationBytes int64 `json:"activation_bytes"`
}

// DiffLayer is one matched pair or one layer of one side.
type DiffLayer struct {
	Status string `json:"status"`
	// Match is how a pair was found: "name", "structure" or "kind".
	Match   string       `json:"match,omitempty"`
	A       *DiffEntry   `json:"a"`
	B       *DiffEntry   `json:"b"`
	Changes []DiffChange `json:"changes,omitempty"`
	Delta   DiffDelta    `json:"delta"`
}

// Diff is the comparison of two reports.
type Diff struct {
	A DiffModel `json:"a"`
	B DiffModel `json:"b"`
	// Count and Include are the counting convention of the Ops figures.
	Count   string      `json:"count"`
	Include []string    `json:"include"`
	Delta   DiffTotals  `json:"delta"`
	Same    int         `json:"same"`
	Changed int         `json:"changed"`
	Added   int         `json:"added"`
	Removed int         `json:"removed"`
	Layers  []DiffLayer `json:"layers"`
	Notes   []string    `json:"notes,omitempty"`
}

func totalsOf(r *Report) DiffTotals {
	return DiffTotals{Params: r.Params, ParamBytes: r.ParamBytes, MACs: r.MACs, Ops: r.Ops(),
		ActivationBytes: r.ActivationBytes, PeakActivationBytes: r.PeakActivationBytes, Layers: len(r.Layers)}
}

// signature is a layer's operator kind and attributes (its exported
// fields as JSON); graph inputs are "Input".
func signature(l *Layer) string {
	if l.Op == nil {
		return l.Kind
	}
	b, err := json.Marshal(l.Op)
	if err != nil {
		return l.Kind
	}
	return l.Kind + string(b)
}

// lcs pairs the longest common subsequence of a and b (keys), returning
// index pairs in order.
func lcs(a, b []string) [][2]int {
	n, m := len(a), len(b)
	t := make([]int32, (n+1)*(m+1))
	at := func(i, j int) *int32 { return &t[i*(m+1)+j] }
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				*at(i, j) = *at(i+1, j+1) + 1
			} else {
				*at(i, j) = max(*at(i+1, j), *at(i, j+1))
			}
		}
	}
	var out [][2]int
	for i, j := 0, 0; i < n && j < m; {
		switch {
		case a[i] == b[j]:
			out = append(out, [2]int{i, j})
			i++
			j++
		case *at(i+1, j) >= *at(i, j+1):
			i++
		default:
			j++
		}
	}
	return out
}

// CompareReports compares report a with report b under b's counting
// convention (a's is set to it); source names each side.
func CompareReports(a, b *Report, sourceA, sourceB, formatA, formatB string) *Diff {
	a.Convention = b.Convention
	d := &Diff{
		A:     DiffModel{Name: a.Name, Source: sourceA, Format: formatA, DiffTotals: totalsOf(a)},
		B:     DiffModel{Name: b.Name, Source: sourceB, Format: formatB, DiffTotals: totalsOf(b)},
		Count: b.Convention.Unit(), Include: append([]string{}, b.Convention.Include...),
	}
	d.Delta = DiffTotals{
		Params: d.B.Params - d.A.Params, ParamBytes: d.B.ParamBytes - d.A.ParamBytes, MACs: d.B.MACs - d.A.MACs,
		Ops: d.B.Ops - d.A.Ops, ActivationBytes: d.B.ActivationBytes - d.A.ActivationBytes,
		PeakActivationBytes: d.B.PeakActivationBytes - d.A.PeakActivationBytes, Layers: d.B.Layers - d.A.Layers,
	}
	pairA := make([]int, len(a.Layers)) // A index → B index, or −1
	pairB := make([]int, len(b.Layers))
	how := make([]string, len(b.Layers))
	for i := range pairA {
		pairA[i] = -1
	}
	for j := range pairB {
		pairB[j] = -1
	}
	// 1. Names.
	byName := map[string]int{}
	for i, l := range a.Layers {
		byName[l.Name] = i
	}
	for j, l := range b.Layers {
		if i, ok := byName[l.Name]; ok && pairA[i] < 0 {
			pairA[i], pairB[j], how[j] = j, i, "name"
		}
	}
	// 2. Structure, over the unmatched layers.
	var ua, ub []int
	for i := range a.Layers {
		if pairA[i] < 0 {
			ua = append(ua, i)
		}
	}
	for j := range b.Layers {
		if pairB[j] < 0 {
			ub = append(ub, j)
		}
	}
	keys := func(idx []int, r *Report, f func(*Layer) string) []string {
		k := make([]string, len(idx))
		for n, i := range idx {
			k[n] = f(&r.Layers[i])
		}
		return k
	}
	kind := func(l *Layer) string { return l.Kind }
	if (len(ua)+1)*(len(ub)+1) > maxLCSCells {
		d.Notes = append(d.Notes, fmt.Sprintf("%d and %d layers are unmatched by name: too many to match by structure; they are listed as removed and added", len(ua), len(ub)))
	} else if len(ua) > 0 && len(ub) > 0 {
		anchors := lcs(keys(ua, a, signature), keys(ub, b, signature))
		for _, p := range anchors {
			i, j := ua[p[0]], ub[p[1]]
			pairA[i], pairB[j], how[j] = j, i, "structure"
		}
		// 3. Kinds, within each gap between anchors.
		anchors = append(anchors, [2]int{len(ua), len(ub)})
		pi, pj := 0, 0
		for _, p := range anchors {
			ga, gb := ua[pi:p[0]], ub[pj:p[1]]
			if len(ga) > 0 && len(gb) > 0 {
				for _, q := range lcs(keys(ga, a, kind), keys(gb, b, kind)) {
					i, j := ga[q[0]], gb[q[1]]
					pairA[i], pairB[j], how[j] = j, i, "kind"
				}
			}
			pi, pj = p[0]+1, p[1]+1
		}
	}
	// Producers of each layer's inputs, by layer index.
	producers := func(r *Report) [][]int {
		made := map[string]int{}
		out := make([][]int, len(r.Layers))
		for i, l := range r.Layers {
			for _, v := range l.Inputs {
				if p, ok := made[v]; ok {
					out[i] = append(out[i], p)
				} else {
					out[i] = append(out[i], -1)
				}
			}
			for _, v := range l.Outputs {
				made[v] = i
			}
		}
		return out
	}
	prodA, prodB := producers(a), producers(b)
	entry := func(r *Report, i int) *DiffEntry {
		l := &r.Layers[i]
		e := &DiffEntry{Index: i, Name: l.Name, Type: l.Type, Kind: l.Kind, Params: l.Params, MACs: l.MACs,
			Ops: r.Convention.Ops(l), ActivationBytes: l.ActivationBytes}
		if len(l.OutputShapes) > 0 && !l.Unknown {
			e.Output = CHW(l.OutputShapes[0])
		}
		return e
	}
	emitted := make([]bool, len(a.Layers))
	emitRemovedBefore := func(limit int) {
		for i := 0; i < limit; i++ {
			if pairA[i] < 0 && !emitted[i] {
				emitted[i] = true
				e := entry(a, i)
				d.Layers = append(d.Layers, DiffLayer{Status: DiffRemoved, A: e,
					Delta: DiffDelta{Params: -e.Params, MACs: -e.MACs, Ops: -e.Ops, ActivationBytes: -e.ActivationBytes}})
				d.Removed++
			}
		}
	}
	for j := range b.Layers {
		eb := entry(b, j)
		i := pairB[j]
		if i < 0 {
			d.Layers = append(d.Layers, DiffLayer{Status: DiffAdded, B: eb,
				Delta: DiffDelta{Params: eb.Params, MACs: eb.MACs, Ops: eb.Ops, ActivationBytes: eb.ActivationBytes}})
			d.Added++
			continue
		}
		emitRemovedBefore(i)
		emitted[i] = true
		ea := entry(a, i)
		dl := DiffLayer{Status: DiffSame, Match: how[j], A: ea, B: eb, Delta: DiffDelta{
			Params: eb.Params - ea.Params, MACs: eb.MACs - ea.MACs, Ops: eb.Ops - ea.Ops, ActivationBytes: eb.ActivationBytes - ea.ActivationBytes}}
		dl.Changes = changes(a, b, i, j, pairA, prodA[i], prodB[j])
		if len(dl.Changes) > 0 {
			dl.Status = DiffChanged
			d.Changed++
		} else {
			d.Same++
		}
		d.Layers = append(d.Layers, dl)
	}
	emitRemovedBefore(len(a.Layers))
	return d
}

// changes lists how layer i of a and layer j of b differ.
func changes(a, b *Report, i, j int, pairA, prodA, prodB []int) []DiffChange {
	la, lb := &a.Layers[i], &b.Layers[j]
	var c []DiffChange
	if la.Name != lb.Name {
		c = append(c, DiffChange{What: "name", A: la.Name, B: lb.Name})
	}
	if la.Kind != lb.Kind || la.Type != lb.Type {
		c = append(c, DiffChange{What: "kind", A: la.Type + " (" + la.Kind + ")", B: lb.Type + " (" + lb.Kind + ")"})
	} else if sa, sb := attrMap(la), attrMap(lb); !reflect.DeepEqual(sa, sb) {
		var ka []string
		for k := range sa {
			ka = append(ka, k)
		}
		for k := range sb {
			if _, ok := sa[k]; !ok {
				ka = append(ka, k)
			}
		}
		sort.Strings(ka)
		var va, vb []string
		for _, k := range ka {
			if !reflect.DeepEqual(sa[k], sb[k]) {
				va = append(va, k+" "+jsonText(sa[k]))
				vb = append(vb, k+" "+jsonText(sb[k]))
			}
		}
		c = append(c, DiffChange{What: "attrs", A: strings.Join(va, ", "), B: strings.Join(vb, ", ")})
	}
	shape := func(l *Layer) string {
		if l.Unknown || len(l.OutputShapes) == 0 {
			return "?"
		}
		return shapeString(l.OutputShapes[0])
	}
	if sa, sb := shape(la), shape(lb); sa != sb {
		c = append(c, DiffChange{What: "shape", A: sa, B: sb})
	}
	if la.Params != lb.Params {
		c = append(c, DiffChange{What: "params", A: Thousands(la.Params), B: Thousands(lb.Params)})
	}
	mapped := make([]int, len(prodA))
	for k, p := range prodA {
		mapped[k] = -1
		if p >= 0 {
			mapped[k] = pairA[p]
		}
	}
	if !slices.Equal(mapped, prodB) {
		names := func(r *Report, ps []int) string {
			var s []string
			for _, p := range ps {
				if p < 0 {
					s = append(s, "?")
				} else {
					s = append(s, r.Layers[p].Name)
				}
			}
			return strings.Join(s, ", ")
		}
		c = append(c, DiffChange{What: "inputs", A: names(a, prodA), B: names(b, prodB)})
	}
	return c
}

func attrMap(l *Layer) map[string]any {
	m := map[string]any{}
	if l.Op != nil {
		if b, err := json.Marshal(l.Op); err == nil {
			_ = json.Unmarshal(b, &m)
		}
	}
	return m
}

func jsonText(v any) string {
	if v == nil {
		return "—"
	}
	b, _ := json.Marshal(v)
	return string(b)
}
