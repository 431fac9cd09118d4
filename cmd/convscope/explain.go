package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"strings"

	"github.com/convscope/convscope/internal/attrib"
	"github.com/convscope/convscope/internal/format"
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/imageio"
)

func init() {
	register(command{name: "explain", summary: "attribution map of an image: saliency, Grad-CAM, integrated gradients, occlusion", run: runExplain})
}

// explainOutput is what `explain --json` prints.
type explainOutput struct {
	Model       string    `json:"model"`
	Image       string    `json:"image"`
	Method      string    `json:"method"`
	Class       int       `json:"class"`
	Label       string    `json:"label"`
	Layer       string    `json:"layer"`
	Shape       [2]int    `json:"shape"`
	Map         []float32 `json:"map"`
	Predicted   int       `json:"predicted"`
	Probability float32   `json:"probability"`
}

func runExplain(ctx context.Context, args []string, io stdio) error {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(io.err)
	var mf modelFlags
	mf.register(fs)
	method := fs.String("method", "", "saliency, gradcam, ig or occlusion")
	class := fs.Int("class", -1, "class `K` to explain (default: the predicted one)")
	layer := fs.String("layer", "", "gradcam: the layer `NAME` (default: the last spatial map)")
	steps := fs.Int("steps", 0, "ig: the number of steps `N` (1…256, default 32)")
	patch := fs.Int("patch", 0, "occlusion: the square's side `P` in input pixels (default min(H,W)/8)")
	stride := fs.Int("stride", 0, "occlusion: the square's step `S` (default P/2)")
	out := fs.String("out", "", "write the map as a PNG `FILE`: its colour scale over the input image (at the input size)")
	mapOnly := fs.Bool("map-only", false, "with --out: the map alone in its colour scale, at its own resolution")
	asJSON := fs.Bool("json", false, "print the map and the class as one JSON object")
	fs.Usage = func() {
		fmt.Fprintln(io.err, "usage: convscope explain --method saliency|gradcam|ig|occlusion [--class K] [--layer L] [--steps N] [--patch P] [--stride S] [--model FILE] [PREPROCESSING] IMAGE (--out map.png [--map-only] | --json)")
		fs.PrintDefaults()
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usagef("explain needs one image")
	}
	if *out == "" && !*asJSON {
		return usagef("explain needs --out FILE.png or --json")
	}
	if *method == "" {
		return usagef("explain needs --method saliency, gradcam, ig or occlusion")
	}
	g, name, err := mf.load()
	if err != nil {
		return err
	}
	in := graph.Shape(g.Inputs[0].Shape).PerImage()
	if len(in) != 3 || in[0] != 1 && in[0] != 3 {
		return fmt.Errorf("model input %v is not an image [1 or 3, H, W]", in)
	}
	c, h, w := in[0], in[1], in[2]
	path := fs.Arg(0)
	pixels, err := loadPixels(path, w, h, mf.pre.p)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	x := modelInput(pixels, c, h*w, mf.pre.p)
	opt := attrib.Options{Method: *method, Class: *class, Layer: *layer, Steps: *steps, Patch: *patch, Stride: *stride,
		Baseline: modelInput(make([]float32, 3*h*w), c, h*w, mf.pre.p),
		Fill:     modelInput(filled(3*h*w, 0.5), c, h*w, mf.pre.p)}
	if *method == attrib.IG || *method == attrib.Occlusion {
		opt.Progress = stepBar(io.err, *method)
	}
	res, err := attrib.Explain(ctx, g, x, opt)
	if err != nil {
		if ae, ok := err.(*attrib.Error); ok && ae.Field != "model" && ae.Field != "input" {
			return usagef("--%s: %s", ae.Field, ae.Msg)
		}
		return format.ExplainMissingWeights(name, err)
	}
	label := g.ClassNames(res.Classes)[res.Class]
	if *out != "" {
		if err := writeMapPNG(*out, res, pixels, h, w, *mapOnly); err != nil {
			return err
		}
	}
	if *asJSON {
		return json.NewEncoder(io.out).Encode(explainOutput{Model: name, Image: path, Method: res.Method, Class: res.Class, Label: label,
			Layer: res.Layer, Shape: [2]int{res.H, res.W}, Map: res.Map, Predicted: res.Predicted, Probability: res.Probability})
	}
	fmt.Fprintf(io.out, "%s of class %d (%s, p = %.4f) on %s: %d×%d map written to %s\n", res.Method, res.Class, label, res.Probability, path, res.H, res.W, *out)
	return nil
}

func filled(n int, v float32) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = v
	}
	return x
}

// loadPixels reads an image fitted to w×h as R, G, B planes in [0, 1].
func loadPixels(path string, w, h int, pre imageio.Preprocess) ([]float32, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return imageio.LoadWith(f, w, h, imageio.DefaultLimits(), pre)
}

// modelInput turns R, G, B planes in [0, 1] into the model input: the luma
// for a one-channel model (ITU-R BT.601, as the server), then the
// preprocessing.
func modelInput(rgb []float32, c, hw int, pre imageio.Preprocess) []float32 {
	x := append([]float32(nil), rgb...)
	if c == 1 {
		g := make([]float32, hw)
		for i := range g {
			g[i] = 0.299*x[i] + 0.587*x[hw+i] + 0.114*x[2*hw+i]
		}
		x = g
	}
	pre.Apply(x, c)
	return x
}

// stepBar draws "ig [######      ] 12/32" on w, redrawn in place.
func stepBar(w io.Writer, what string) func(done, total int) {
	return func(done, total int) {
		const width = 30
		n := done * width / max(total, 1)
		fmt.Fprintf(w, "\r%s [%s%s] %d/%d", what, strings.Repeat("#", n), strings.Repeat(" ", width-n), done, total)
		if done >= total {
			fmt.Fprintln(w)
		}
	}
}

// writeMapPNG writes the map in its colour scale (mapColor), over the
// image at 60% opacity unless mapOnly. A map coarser than the image
// (Grad-CAM) is scaled to it bilinearly (sample centres aligned).
func writeMapPNG(path string, r *attrib.Result, pixels []float32, h, w int, mapOnly bool) error {
	lo, hi := float32(math.Inf(1)), float32(math.Inf(-1))
	for _, v := range r.Map {
		lo, hi = min(lo, v), max(hi, v)
	}
	signed := lo < 0
	scale := max(hi, -lo)
	if scale <= 0 {
		scale = 1
	}
	oh, ow := r.H, r.W
	if !mapOnly {
		oh, ow = h, w
	}
	img := image.NewNRGBA(image.Rect(0, 0, ow, oh))
	for y := 0; y < oh; y++ {
		for x := 0; x < ow; x++ {
			v := sample(r.Map, r.H, r.W, (float64(y)+0.5)*float64(r.H)/float64(oh)-0.5, (float64(x)+0.5)*float64(r.W)/float64(ow)-0.5)
			c := mapColor(float64(v/scale), signed)
			if !mapOnly {
				const a = 0.6
				p := y*w + x
				blend := func(m uint8, px float32) uint8 {
					return uint8(math.Round(a*float64(m) + (1-a)*255*float64(min(max(px, 0), 1))))
				}
				c = color.NRGBA{blend(c.R, pixels[p]), blend(c.G, pixels[h*w+p]), blend(c.B, pixels[2*h*w+p]), 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// sample reads m (h×w) at fractional (y, x), bilinearly, clamped.
func sample(m []float32, h, w int, y, x float64) float32 {
	y = min(max(y, 0), float64(h-1))
	x = min(max(x, 0), float64(w-1))
	y0, x0 := int(y), int(x)
	y1, x1 := min(y0+1, h-1), min(x0+1, w-1)
	fy, fx := float32(y-float64(y0)), float32(x-float64(x0))
	top := m[y0*w+x0]*(1-fx) + m[y0*w+x1]*fx
	bot := m[y1*w+x0]*(1-fx) + m[y1*w+x1]*fx
	return top*(1-fy) + bot*fy
}

// mapColor is the colour of t: for a map ≥ 0, t in [0, 1] on a dark
// blue → magenta → yellow ramp ("magma"-like); for a signed map
// (occlusion), t in [−1, 1] on blue → white → red.
func mapColor(t float64, signed bool) color.NRGBA {
	lerp := func(stops [][3]float64, t float64) color.NRGBA {
		t = min(max(t, 0), 1) * float64(len(stops)-1)
		i := min(int(t), len(stops)-2)
		f := t - float64(i)
		var c [3]uint8
		for k := range c {
			c[k] = uint8(math.Round(stops[i][k]*(1-f) + stops[i+1][k]*f))
		}
		return color.NRGBA{c[0], c[1], c[2], 255}
	}
	if signed {
		return lerp([][3]float64{{33, 102, 172}, {247, 247, 247}, {178, 24, 43}}, (t+1)/2)
	}
	return lerp([][3]float64{{0, 0, 4}, {81, 18, 124}, {183, 55, 121}, {252, 137, 97}, {252, 253, 191}}, t)
}
