package train

import (
	"bytes"
	"fmt"
	"html"
	"math"
)

// CurvesSVG draws the training curves of a run: loss (left) and accuracy
// (right) per epoch, training and validation. title is shown on top.
func CurvesSVG(title string, h []EpochStats) []byte {
	const (
		W, H   = 900, 340
		panelW = 360
		panelH = 240
		top    = 50
	)
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", W, H, W, H)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", W, H)
	fmt.Fprintf(&b, `<text x="%d" y="24" font-size="15" text-anchor="middle">%s</text>`+"\n", W/2, html.EscapeString(title))
	type series struct {
		name  string
		color string
		dash  bool
		get   func(EpochStats) float64
	}
	loss := []series{
		{"train", "#1f77b4", false, func(s EpochStats) float64 { return s.TrainLoss }},
		{"validation", "#d62728", true, func(s EpochStats) float64 { return s.ValLoss }},
	}
	acc := []series{
		{"train", "#1f77b4", false, func(s EpochStats) float64 { return 100 * s.TrainAcc }},
		{"validation", "#d62728", true, func(s EpochStats) float64 { return 100 * s.ValAcc }},
	}
	panel := func(x0 int, label string, ss []series, legendTop bool) {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, s := range ss {
			for _, e := range h {
				v := s.get(e)
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
		if len(h) == 0 || math.IsInf(lo, 0) {
			lo, hi = 0, 1
		}
		if hi-lo < 1e-9 {
			lo, hi = lo-0.5, hi+0.5
		}
		pad := (hi - lo) * 0.08
		lo, hi = lo-pad, hi+pad
		n := max(1, len(h)-1)
		px := func(i int) float64 { return float64(x0) + float64(i)*panelW/float64(n) }
		py := func(v float64) float64 { return top + panelH - (v-lo)/(hi-lo)*panelH }
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#888"/>`+"\n", x0, top, panelW, panelH)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">%s</text>`+"\n", x0+panelW/2, top-8, html.EscapeString(label))
		for t := 0; t <= 4; t++ {
			v := lo + (hi-lo)*float64(t)/4
			y := py(v)
			fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#eee"/>`+"\n", x0, y, x0+panelW, y)
			fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" fill="#444">%.3g</text>`+"\n", x0-4, y+4, v)
		}
		step := max(1, len(h)/10)
		for i := 0; i < len(h); i += step {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#444">%d</text>`+"\n", px(i), top+panelH+16, h[i].Epoch)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">epoch</text>`+"\n", x0+panelW/2, top+panelH+34)
		for k, s := range ss {
			var pts bytes.Buffer
			for i, e := range h {
				fmt.Fprintf(&pts, "%.1f,%.1f ", px(i), py(s.get(e)))
			}
			dash := ""
			if s.dash {
				dash = ` stroke-dasharray="6 3"`
			}
			fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>`+"\n", bytes.TrimSpace(pts.Bytes()), s.color, dash)
			for i, e := range h {
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="2.5" fill="%s"/>`+"\n", px(i), py(s.get(e)), s.color)
			}
			ly := top + 14 + 16*k
			if !legendTop {
				ly = top + panelH - 24 + 16*k
			}
			fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>`+"\n", x0+panelW-110, ly-4, x0+panelW-86, ly-4, s.color, dash)
			fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`+"\n", x0+panelW-80, ly, s.name)
		}
	}
	panel(60, "cross-entropy loss", loss, true)
	panel(60+panelW+80, "accuracy (%)", acc, false)
	b.WriteString("</svg>\n")
	return b.Bytes()
}
