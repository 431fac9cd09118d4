package analyze

// The graph of a report drawn without a browser: `convscope analyze
// --format svg|png`. A layered layout (Sugiyama's steps, simply): ranks by
// longest path from the inputs, a virtual point on every rank an edge
// crosses, the order within each rank improved by barycenter sweeps, then
// x positions pulled towards the neighbours above and kept apart. Boxes
// show the layer's name, type and output shape, coloured by the operator
// family as the Scope's graph (web/src/scope/colors.js).

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// Box geometry of the drawing, in pixels. Text is measured in the 7×13
// pixel font of the PNG (golang.org/x/image/font/basicfont), which the SVG
// asks for as a monospace font of the same size.
const (
	drawCharW   = 7
	drawLineH   = 15
	drawPadX    = 8
	drawPadY    = 6
	drawMinW    = 90
	drawMaxChar = 40 // longer names are shortened with "…"
	drawGapX    = 24
	drawGapY    = 34
	drawMargin  = 20
	drawBoxH    = 2*drawPadY + 3*drawLineH
)

// DrawNode is one box of a Drawing.
type DrawNode struct {
	Layer         int // index in Report.Layers
	Lines         [3]string
	Family        string
	X, Y          float64 // top-left corner
	Width, Height float64
}

// DrawEdge is a polyline from a producer's box to a reader's box.
type DrawEdge struct {
	From, To int // indices in Drawing.Nodes
	Points   [][2]float64
	Label    string // the shape of the value
}

// Drawing is a laid-out graph.
type Drawing struct {
	Width, Height float64
	Nodes         []DrawNode
	Edges         []DrawEdge
}

// MaxDrawLayers bounds the layers Layout draws (the PNG's size grows with
// them).
const MaxDrawLayers = 20000

// Layout lays out the graph of r: one box per layer (graph inputs
// included), one edge per (producer, reader) pair.
func Layout(r *Report) (*Drawing, error) {
	n := len(r.Layers)
	if n == 0 {
		return nil, fmt.Errorf("the model has no layers to draw")
	}
	if n > MaxDrawLayers {
		return nil, fmt.Errorf("the model has %d layers, more than the %d drawn (use --format dot)", n, MaxDrawLayers)
	}
	producer := map[string]int{}
	shapeOf := map[string]string{}
	for i, l := range r.Layers {
		for k, v := range l.Outputs {
			producer[v] = i
			if k < len(l.OutputShapes) && l.OutputShapes[k] != nil {
				shapeOf[v] = shapeString(l.OutputShapes[k])
			}
		}
	}
	type edge struct {
		from, to int
		label    string
	}
	var edges []edge
	seen := map[[2]int]bool{}
	preds := make([][]int, n)
	for i, l := range r.Layers {
		for _, v := range l.Inputs {
			p, ok := producer[v]
			if !ok || p >= i || seen[[2]int{p, i}] { // layers are in topological order
				continue
			}
			seen[[2]int{p, i}] = true
			edges = append(edges, edge{p, i, shapeOf[v]})
			preds[i] = append(preds[i], p)
		}
	}
	// Ranks: the longest path from a layer without inputs.
	rank := make([]int, n)
	for i := range n {
		for _, p := range preds[i] {
			rank[i] = max(rank[i], rank[p]+1)
		}
	}
	// Points: the boxes, then a virtual point per rank an edge crosses.
	type point struct {
		rank  int
		width float64
		up    []int // points on the rank above linked to this one
		down  []int
		x     float64
		order float64
	}
	pts := make([]point, n)
	d := &Drawing{Nodes: make([]DrawNode, n)}
	for i, l := range r.Layers {
		shape := "?"
		if !l.Unknown && len(l.OutputShapes) > 0 {
			shape = shapeString(l.OutputShapes[0])
		}
		lines := [3]string{clipText(l.Name), clipText(l.Type), clipText(shape)}
		w := float64(drawMinW)
		for _, s := range lines {
			w = max(w, float64(len([]rune(s))*drawCharW+2*drawPadX))
		}
		d.Nodes[i] = DrawNode{Layer: i, Lines: lines, Family: l.Traits.Family, Width: w, Height: drawBoxH}
		pts[i] = point{rank: rank[i], width: w}
	}
	chains := make([][]int, len(edges)) // the points each edge passes
	for k, e := range edges {
		chain := []int{e.from}
		for rk := rank[e.from] + 1; rk < rank[e.to]; rk++ {
			pts = append(pts, point{rank: rk, width: 0})
			chain = append(chain, len(pts)-1)
		}
		chain = append(chain, e.to)
		for j := 1; j < len(chain); j++ {
			a, b := chain[j-1], chain[j]
			pts[a].down = append(pts[a].down, b)
			pts[b].up = append(pts[b].up, a)
		}
		chains[k] = chain
	}
	ranks := 0
	for _, p := range pts {
		ranks = max(ranks, p.rank+1)
	}
	byRank := make([][]int, ranks)
	for i, p := range pts {
		byRank[p.rank] = append(byRank[p.rank], i)
	}
	// Order within ranks: barycenter sweeps down and up.
	setOrder := func(rk int) {
		for o, i := range byRank[rk] {
			pts[i].order = float64(o)
		}
	}
	for rk := range byRank {
		setOrder(rk)
	}
	bary := func(i int, nb []int) float64 {
		if len(nb) == 0 {
			return pts[i].order
		}
		s := 0.0
		for _, j := range nb {
			s += pts[j].order
		}
		return s / float64(len(nb))
	}
	sortRank := func(rk int, down bool) {
		keys := map[int]float64{}
		for _, i := range byRank[rk] {
			if down {
				keys[i] = bary(i, pts[i].up)
			} else {
				keys[i] = bary(i, pts[i].down)
			}
		}
		slices.SortStableFunc(byRank[rk], func(a, b int) int {
			switch {
			case keys[a] < keys[b]:
				return -1
			case keys[a] > keys[b]:
				return 1
			}
			return 0
		})
		setOrder(rk)
	}
	for range 4 {
		for rk := 1; rk < ranks; rk++ {
			sortRank(rk, true)
		}
		for rk := ranks - 2; rk >= 0; rk-- {
			sortRank(rk, false)
		}
	}
	// x: pack each rank, then pull each point towards its neighbours above
	// (rank by rank) and keep the points apart, in order.
	gap := func(a, b int) float64 {
		g := float64(drawGapX)
		if pts[a].width == 0 || pts[b].width == 0 {
			g = drawGapX / 2
		}
		return (pts[a].width+pts[b].width)/2 + g
	}
	for _, row := range byRank {
		x := 0.0
		for o, i := range row {
			if o > 0 {
				x += gap(row[o-1], i)
			}
			pts[i].x = x
		}
	}
	for range 2 {
		for rk := 1; rk < ranks; rk++ {
			row := byRank[rk]
			want := make([]float64, len(row))
			for o, i := range row {
				want[o] = pts[i].x
				if len(pts[i].up) > 0 {
					s := 0.0
					for _, j := range pts[i].up {
						s += pts[j].x
					}
					want[o] = s / float64(len(pts[i].up))
				}
			}
			// Left to right: at its wish, or the gap after the previous point.
			for o := range row {
				x := want[o]
				if o > 0 {
					x = max(x, pts[row[o-1]].x+gap(row[o-1], row[o]))
				}
				pts[row[o]].x = x
			}
		}
	}
	minX := math.Inf(1)
	maxX := math.Inf(-1)
	for _, p := range pts {
		minX = min(minX, p.x-p.width/2)
		maxX = max(maxX, p.x+p.width/2)
	}
	yOf := func(rk int) float64 { return drawMargin + float64(rk)*(drawBoxH+drawGapY) }
	xOf := func(i int) float64 { return pts[i].x - minX + drawMargin }
	for i := range d.Nodes {
		nd := &d.Nodes[i]
		nd.X = xOf(i) - nd.Width/2
		nd.Y = yOf(rank[i])
	}
	for k, e := range edges {
		ch := chains[k]
		var ps [][2]float64
		ps = append(ps, [2]float64{xOf(e.from), yOf(rank[e.from]) + drawBoxH})
		for _, v := range ch[1 : len(ch)-1] {
			y := yOf(pts[v].rank)
			ps = append(ps, [2]float64{xOf(v), y}, [2]float64{xOf(v), y + drawBoxH})
		}
		ps = append(ps, [2]float64{xOf(e.to), yOf(rank[e.to])})
		d.Edges = append(d.Edges, DrawEdge{From: e.from, To: e.to, Points: ps, Label: e.label})
	}
	d.Width = maxX - minX + 2*drawMargin
	d.Height = yOf(ranks-1) + drawBoxH + drawMargin
	return d, nil
}

// clipText shortens s to drawMaxChar characters.
func clipText(s string) string {
	r := []rune(s)
	if len(r) <= drawMaxChar {
		return s
	}
	return string(r[:drawMaxChar-1]) + "…"
}

// familyColours are the Scope graph's (web/src/scope/colors.js): fill and
// border per operator family.
var familyColours = map[string][2]string{
	"input":  {"#e8eaed", "#80868b"},
	"conv":   {"#dbe8fb", "#3f78c9"},
	"pool":   {"#dff1e3", "#3d9a57"},
	"norm":   {"#f3e9d7", "#b8873a"},
	"act":    {"#fbe1dc", "#c9503a"},
	"merge":  {"#ece3f6", "#8256b8"},
	"dense":  {"#fde7c7", "#d9822b"},
	"shape":  {"#eef0f2", "#9aa0a6"},
	"output": {"#e3f3f5", "#2a8f9c"},
}

func colours(family string) (fill, stroke string) {
	c, ok := familyColours[family]
	if !ok {
		c = familyColours["shape"]
	}
	return c[0], c[1]
}

// WriteSVG writes the drawing of r as a standalone SVG document.
func WriteSVG(w io.Writer, r *Report) error {
	d, err := Layout(r)
	if err != nil {
		return err
	}
	var b strings.Builder
	esc := func(s string) string {
		var e strings.Builder
		xml.EscapeText(&e, []byte(s))
		return e.String()
	}
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="DejaVu Sans Mono, monospace" font-size="12">
<title>%s</title>
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,1 L9,5 L0,9 z" fill="#8a9097"/></marker></defs>
<rect width="100%%" height="100%%" fill="#ffffff"/>
<g class="edges" fill="none" stroke="#a5abb1" stroke-width="1.2">
`, d.Width, d.Height, d.Width, d.Height, esc(r.Name))
	for _, e := range d.Edges {
		var p strings.Builder
		for k, pt := range e.Points {
			if k == 0 {
				fmt.Fprintf(&p, "M%.1f,%.1f", pt[0], pt[1])
			} else {
				fmt.Fprintf(&p, " L%.1f,%.1f", pt[0], pt[1])
			}
		}
		fmt.Fprintf(&b, `<path class="edge" data-from="%s" data-to="%s" d="%s" marker-end="url(#arrow)"><title>%s</title></path>
`, esc(r.Layers[e.From].Name), esc(r.Layers[e.To].Name), p.String(), esc(e.Label))
	}
	b.WriteString("</g>\n<g class=\"nodes\">\n")
	for _, nd := range d.Nodes {
		fill, stroke := colours(nd.Family)
		fmt.Fprintf(&b, `<g class="node" data-node="%s" transform="translate(%.1f,%.1f)"><title>%s</title><rect width="%.0f" height="%.0f" rx="4" fill="%s" stroke="%s" stroke-width="1.2"/>`,
			esc(r.Layers[nd.Layer].Name), nd.X, nd.Y, esc(r.Layers[nd.Layer].Name), nd.Width, nd.Height, fill, stroke)
		for k, s := range nd.Lines {
			weight := ""
			if k == 0 {
				weight = ` font-weight="bold"`
			}
			fmt.Fprintf(&b, `<text x="%d" y="%d"%s fill="#202124">%s</text>`, drawPadX, drawPadY+(k+1)*drawLineH-4, weight, esc(s))
		}
		b.WriteString("</g>\n")
	}
	b.WriteString("</g>\n</svg>\n")
	_, err = io.WriteString(w, b.String())
	return err
}
