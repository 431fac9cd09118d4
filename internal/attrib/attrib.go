// Package attrib computes attribution maps: which input pixels and which
// feature maps made a network score a class. It runs the inference graph
// forward and backward with internal/train's layers (a frozen Net: no
// parameter gradients, inference-mode BatchNorm and Dropout) and
// differentiates the class's logit — the input of the graph's final
// Softmax over the classes when it ends in one, else the output itself.
//
// Methods ([Saliency], [GradCAM], [IG], [Occlusion]):
//
//   - saliency (Simonyan et al. 2014): per input pixel, max over channels of
//     |∂z_c/∂x|.
//   - Grad-CAM (Selvaraju et al. 2017) on a layer with output A of shape
//     [K, H, W]: ReLU(Σ_k α_k A^k), α_k = mean over the H·W positions of
//     ∂z_c/∂A^k, at the layer's resolution. The default layer is the last
//     node whose output is a spatial map ([K, H, W], H, W > 1).
//   - integrated gradients (Sundararajan et al. 2017): IG = (x − x')·
//     (1/m)·Σ_{k=0}^{m−1} ∂z_c/∂x (x' + α_k(x − x')), α_k = (k + ½)/m (the
//     Riemann midpoint rule, m = Steps, 32 by default), x' the baseline (the
//     preprocessed all-black image, given by the caller); the map is the
//     max over channels of |IG|.
//   - occlusion (Zeiler & Fergus 2014): a Patch×Patch square (default H/8
//     rounded, at least 1) of the baseline value Fill (the preprocessed
//     mid-grey image) slid with stride Stride (default Patch/2, at least 1)
//     over the input; a pixel's value is the mean, over the placements
//     covering it, of the drop of the class probability p_c(x) −
//     p_c(occluded), p = softmax of the logits. Pixels no placement covers
//     (when the stride skips the last rows or columns) are 0.
//
// Memory: every method charges its buffers (all values and their gradients
// for the batch it runs) against Options.MaxBytes before allocating, and
// runs integrated gradients' steps and occlusion's placements in batches as
// large as that budget allows.
package attrib

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"

	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/tensor"
	"github.com/convscope/convscope/internal/train"
)

// Methods.
const (
	Saliency  = "saliency"
	GradCAM   = "gradcam"
	IG        = "ig"
	Occlusion = "occlusion"
)

// Methods lists the methods in the order the UI offers them.
var Methods = []string{Saliency, GradCAM, IG, Occlusion}

// Limits of the options.
const (
	DefaultSteps = 32
	MaxSteps     = 256
)

// Options choose the method and its parameters.
type Options struct {
	Method string
	// Class is the class to explain; negative: the predicted one.
	Class int
	// Layer is Grad-CAM's layer (a node name); "" = the default.
	Layer string
	// Steps is integrated gradients' number of steps (0 = DefaultSteps).
	Steps int
	// Baseline is integrated gradients' baseline input (the preprocessed
	// all-black image; nil = zeros).
	Baseline []float32
	// Fill is the occluded input: occlusion copies a patch of it over the
	// image (the preprocessed mid-grey image; nil = zeros).
	Fill []float32
	// Patch and Stride are occlusion's square size and step in input
	// pixels (0 = the defaults above).
	Patch, Stride int
	// MaxBytes is the memory the computation may allocate (0 = no limit).
	MaxBytes int64
	// Workers is the number of goroutines (0 = GOMAXPROCS).
	Workers int
	// Progress, if set, is called with the steps (ig) or placements
	// (occlusion) done so far and their total.
	Progress func(done, total int)
}

// Result is an attribution map.
type Result struct {
	Method string
	Class  int
	// Layer is the node whose resolution the map has: Grad-CAM's layer,
	// else "" (the input).
	Layer string
	H, W  int
	Map   []float32 // row-major H×W
	// Predicted is the predicted class, Probability the probability of
	// Class (softmax of the logits) on the unchanged input.
	Predicted   int
	Probability float32
	Classes     int    // the number of classes
	Logits      string // the value the logits are read from
}

// Error is a bad option: Field names it (method, class, layer, steps,
// patch, stride, model, input), Msg says what is wrong.
type Error struct {
	Field, Msg string
	Err        error // the cause, if any
}

func (e *Error) Error() string { return e.Msg }

func (e *Error) Unwrap() error { return e.Err }

func bad(field, format string, a ...any) error {
	return &Error{Field: field, Msg: fmt.Sprintf(format, a...)}
}

// ErrBudget is wrapped by the error of a computation that needs more memory
// than Options.MaxBytes.
var ErrBudget = errors.New("over the memory budget")

// Explain computes the attribution map of opt.Method for input x (one
// image, the graph input's per-image shape [C, H, W]) of graph g, which
// must have weights, one input and one output of class scores.
func Explain(ctx context.Context, g *graph.Graph, x []float32, opt Options) (*Result, error) {
	if !slices.Contains(Methods, opt.Method) {
		return nil, bad("method", "unknown method %q: use saliency, gradcam, ig or occlusion", opt.Method)
	}
	in, err := inputShape(g)
	if err != nil {
		return nil, err
	}
	if len(x) != in.Elems() {
		return nil, bad("input", "the input has %d values, the model takes %v = %d", len(x), in, in.Elems())
	}
	layer := ""
	if opt.Method == GradCAM {
		if layer, err = CAMLayer(g, opt.Layer); err != nil {
			return nil, err
		}
	} else if opt.Layer != "" {
		return nil, bad("layer", "layer applies to gradcam only, not to %s", opt.Method)
	}
	steps := opt.Steps
	if steps == 0 {
		steps = DefaultSteps
	}
	if opt.Method == IG && (steps < 1 || steps > MaxSteps) {
		return nil, bad("steps", "steps must be between 1 and %d, got %d", MaxSteps, opt.Steps)
	}
	if opt.Method != IG && opt.Steps != 0 {
		return nil, bad("steps", "steps applies to ig only, not to %s", opt.Method)
	}
	for _, b := range [][]float32{opt.Baseline, opt.Fill} {
		if b != nil && len(b) != len(x) {
			return nil, bad("input", "a baseline has %d values, the input %d", len(b), len(x))
		}
	}
	// One image first: the prediction, the class and (saliency, Grad-CAM)
	// the gradients.
	grad := opt.Method != Occlusion
	r := &run{g: g, opt: opt, in: in}
	nt, err := r.net(1, grad)
	if err != nil {
		return nil, err
	}
	if nt.Classes() == 0 {
		return nil, bad("model", "the model's output %q has shape %v per image, not one score per class: attribution explains a class score", g.Outputs[0], nt.ValueShape(g.Outputs[0]))
	}
	if err := nt.Forward(x, 1, false); err != nil {
		return nil, err
	}
	probs := softmax(nt.Logits())
	res := &Result{Method: opt.Method, Class: opt.Class, Layer: layer, Predicted: argmax(probs), Classes: len(probs), Logits: nt.LogitsName()}
	if res.Class < 0 {
		res.Class = res.Predicted
	}
	if res.Class >= len(probs) {
		return nil, bad("class", "class %d is out of range: the model has %d classes (0…%d)", res.Class, len(probs), len(probs)-1)
	}
	res.Probability = probs[res.Class]
	c := res.Class
	switch opt.Method {
	case Saliency:
		if err := backward(nt, 1, c); err != nil {
			return nil, err
		}
		res.H, res.W = in[1], in[2]
		res.Map = maxAbs(nt.InputGrad(), in[0], in[1]*in[2], 1)
	case GradCAM:
		if err := backward(nt, 1, c); err != nil {
			return nil, err
		}
		v := layerValue(g, layer)
		s := nt.ValueShape(v)
		res.H, res.W = s[1], s[2]
		res.Map = gradCAM(nt.Value(v), nt.Grad(v), s[0], s[1]*s[2])
	case IG:
		res.H, res.W = in[1], in[2]
		var ig []float32
		if ig, err = r.integrated(ctx, nt, x, c, steps); err == nil {
			res.Map = maxAbs(ig, in[0], in[1]*in[2], 1)
		}
	case Occlusion:
		res.H, res.W = in[1], in[2]
		res.Map, err = r.occlusion(ctx, nt, x, c, probs[c])
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// inputShape is the per-image input shape, [C, H, W].
func inputShape(g *graph.Graph) (graph.Shape, error) {
	if len(g.Inputs) != 1 || len(g.Outputs) != 1 {
		return nil, bad("model", "attribution needs a model with one input and one output, this one has %d and %d", len(g.Inputs), len(g.Outputs))
	}
	s := graph.Shape(g.Inputs[0].Shape).PerImage()
	if len(s) != 3 || s.Elems() <= 0 {
		return nil, bad("model", "attribution needs an image input [C, H, W], this model's input is %v", s)
	}
	return s, nil
}

// CAMLayer resolves Grad-CAM's layer: the named node, which must output a
// map [K, H, W], or without a name the last node whose output is a spatial
// map (H, W > 1).
func CAMLayer(g *graph.Graph, name string) (string, error) {
	shapes, err := g.InferShapes(1)
	if err != nil {
		return "", bad("model", "%v", err)
	}
	if name != "" {
		n := g.Node(name)
		if n == nil {
			return "", bad("layer", "the model has no layer %q", name)
		}
		if s := shapes[n.Outputs[0]].PerImage(); len(s) != 3 {
			return "", bad("layer", "layer %q outputs %v, not a map [channels, height, width]: Grad-CAM needs a convolutional layer", name, s)
		}
		return name, nil
	}
	for i := len(g.Nodes) - 1; i >= 0; i-- {
		n := g.Nodes[i]
		if s := shapes[n.Outputs[0]].PerImage(); len(s) == 3 && s[1] > 1 && s[2] > 1 {
			return n.Name, nil
		}
	}
	return "", bad("layer", "the model has no layer whose output is a spatial map: Grad-CAM needs one")
}

// CAMLayers lists the layers Grad-CAM accepts, in graph order.
func CAMLayers(g *graph.Graph) []string {
	shapes, err := g.InferShapes(1)
	if err != nil {
		return nil
	}
	var out []string
	for _, n := range g.Nodes {
		if s := shapes[n.Outputs[0]].PerImage(); len(s) == 3 {
			out = append(out, n.Name)
		}
	}
	return out
}

func layerValue(g *graph.Graph, node string) string { return g.Node(node).Outputs[0] }

// run holds what the batched methods share.
type run struct {
	g   *graph.Graph
	opt Options
	in  graph.Shape
}

// Bytes estimates the memory of a frozen Net of g for batch images: every
// value's buffer, with grad its gradient, and the per-layer extras
// (max-pooling indices, BatchNorm's normalised input), bounded by three
// (forward only: two) float32 per value element, plus the scratch of the
// convolutions.
func Bytes(g *graph.Graph, batch int, grad bool) (int64, error) {
	shapes, err := g.InferShapes(1)
	if err != nil {
		return 0, bad("model", "%v", err)
	}
	var elems, scratch int64
	for _, s := range shapes {
		elems += int64(s.PerImage().Elems())
	}
	for _, n := range g.Nodes {
		if c, ok := n.Op.(*graph.Conv); ok {
			in := shapes[n.Inputs[0]].PerImage()
			out := shapes[n.Outputs[0]].PerImage()
			if len(in) == 3 && len(out) == 3 {
				k := int64(in[0]) * int64(c.Window.Kernel[0]) * int64(c.Window.Kernel[1])
				scratch = max(scratch, 2*4*k*int64(out[1])*int64(out[2]))
			}
		}
	}
	per := int64(2)
	if grad {
		per = 3
	}
	return int64(batch)*4*per*elems + scratch*int64(workers(0)) + 1<<20, nil
}

// net builds a frozen Net for batch images after checking the budget.
func (r *run) net(batch int, grad bool) (*train.Net, error) {
	if r.opt.MaxBytes > 0 {
		need, err := Bytes(r.g, batch, grad)
		if err != nil {
			return nil, err
		}
		if need > r.opt.MaxBytes {
			return nil, fmt.Errorf("%w: attribution needs %d bytes, the limit is %d", ErrBudget, need, r.opt.MaxBytes)
		}
	}
	nt, err := train.New(r.g, batch, train.Options{Workers: r.opt.Workers, InputGrad: grad, Frozen: true, Shards: max(batch, 1)})
	if err != nil {
		return nil, &Error{Field: "model", Msg: "attribution cannot run this model: " + err.Error(), Err: err}
	}
	return nt, nil
}

// maxBatch bounds a batch without a memory budget.
const maxBatch = 16

// batchSize is the largest batch, at most want, that fits the budget.
func (r *run) batchSize(want int, grad bool) int {
	if r.opt.MaxBytes <= 0 {
		return min(want, maxBatch)
	}
	one, err := Bytes(r.g, 1, grad)
	if err != nil || one <= 0 {
		return 1
	}
	two, _ := Bytes(r.g, 2, grad)
	per := max(two-one, 1)
	b := 1 + (r.opt.MaxBytes-one)/per
	return int(max(1, min(int64(want), b)))
}

// backward back-propagates the one-hot gradient of class c of n images.
func backward(nt *train.Net, n, c int) error {
	k := nt.LogitsLen()
	dz := make([]float32, n*k)
	for i := 0; i < n; i++ {
		dz[i*k+c] = 1
	}
	return nt.BackwardLogits(dz)
}

// maxAbs is, per position, the maximum over channels of |v| (v: n images
// of [C, plane]), summed over the images.
func maxAbs(v []float32, C, plane, n int) []float32 {
	m := make([]float32, plane)
	for i := 0; i < n; i++ {
		img := v[i*C*plane:]
		for p := range m {
			var best float32
			for c := 0; c < C; c++ {
				best = max(best, float32(math.Abs(float64(img[c*plane+p]))))
			}
			m[p] += best
		}
	}
	return m
}

// gradCAM is ReLU(Σ_k α_k A^k) with α_k the mean of the gradient of map k.
func gradCAM(a, g []float32, K, plane int) []float32 {
	cam := make([]float64, plane)
	for k := 0; k < K; k++ {
		var alpha float64
		for _, v := range g[k*plane : (k+1)*plane] {
			alpha += float64(v)
		}
		alpha /= float64(plane)
		for p, v := range a[k*plane : (k+1)*plane] {
			cam[p] += alpha * float64(v)
		}
	}
	out := make([]float32, plane)
	for p, v := range cam {
		out[p] = float32(max(v, 0))
	}
	return out
}

// integrated computes integrated gradients (per input value), the steps
// in batches.
func (r *run) integrated(ctx context.Context, one *train.Net, x []float32, c, steps int) ([]float32, error) {
	per := len(x)
	base := r.opt.Baseline
	if base == nil {
		base = make([]float32, per)
	}
	b := r.batchSize(steps, true)
	nt := one
	if b > 1 {
		var err error
		if nt, err = r.net(b, true); err != nil {
			return nil, err
		}
	}
	sum := make([]float64, per)
	batch := make([]float32, b*per)
	for done := 0; done < steps; {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n := min(b, steps-done)
		for i := 0; i < n; i++ {
			alpha := (float32(done+i) + 0.5) / float32(steps)
			dst := batch[i*per : (i+1)*per]
			for j := range dst {
				dst[j] = base[j] + alpha*(x[j]-base[j])
			}
		}
		if err := nt.Forward(batch, n, false); err != nil {
			return nil, err
		}
		if err := backward(nt, n, c); err != nil {
			return nil, err
		}
		gr := nt.InputGrad()
		for i := 0; i < n; i++ {
			for j, v := range gr[i*per : (i+1)*per] {
				sum[j] += float64(v)
			}
		}
		done += n
		if r.opt.Progress != nil {
			r.opt.Progress(done, steps)
		}
	}
	ig := make([]float32, per)
	for j := range ig {
		ig[j] = float32(float64(x[j]-base[j]) * sum[j] / float64(steps))
	}
	return ig, nil
}

// OcclusionGeometry returns the patch and stride occlusion uses for an
// H×W input and the options' patch and stride (0 = default).
func OcclusionGeometry(h, w, patch, stride int) (int, int, error) {
	if patch < 0 || stride < 0 {
		return 0, 0, bad("patch", "patch and stride must be positive")
	}
	if patch == 0 {
		patch = max(1, int(math.Round(float64(min(h, w))/8)))
	}
	if patch > min(h, w) {
		return 0, 0, bad("patch", "patch %d is larger than the %d×%d input", patch, h, w)
	}
	if stride == 0 {
		stride = max(1, patch/2)
	}
	return patch, stride, nil
}

// starts lists a patch's positions along an axis of n pixels.
func starts(n, patch, stride int) []int {
	var s []int
	for p := 0; p+patch <= n; p += stride {
		s = append(s, p)
	}
	return s
}

// occlusion computes the occlusion map, the placements in batches.
func (r *run) occlusion(ctx context.Context, one *train.Net, x []float32, c int, p0 float32) ([]float32, error) {
	C, H, W := r.in[0], r.in[1], r.in[2]
	patch, stride, err := OcclusionGeometry(H, W, r.opt.Patch, r.opt.Stride)
	if err != nil {
		return nil, err
	}
	fill := r.opt.Fill
	if fill == nil {
		fill = make([]float32, len(x))
	}
	ys, xs := starts(H, patch, stride), starts(W, patch, stride)
	total := len(ys) * len(xs)
	per := len(x)
	b := r.batchSize(total, false)
	nt := one
	if b > 1 {
		if nt, err = r.net(b, false); err != nil {
			return nil, err
		}
	}
	sum := make([]float64, H*W)
	count := make([]int32, H*W)
	batch := make([]float32, b*per)
	for done := 0; done < total; {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n := min(b, total-done)
		for i := 0; i < n; i++ {
			y0, x0 := ys[(done+i)/len(xs)], xs[(done+i)%len(xs)]
			dst := batch[i*per : (i+1)*per]
			copy(dst, x)
			for ch := 0; ch < C; ch++ {
				for yy := y0; yy < y0+patch; yy++ {
					o := ch*H*W + yy*W + x0
					copy(dst[o:o+patch], fill[o:o+patch])
				}
			}
		}
		if err := nt.Forward(batch, n, false); err != nil {
			return nil, err
		}
		logits := nt.Logits()
		k := nt.LogitsLen()
		for i := 0; i < n; i++ {
			drop := float64(p0 - softmax(logits[i*k : (i+1)*k])[c])
			y0, x0 := ys[(done+i)/len(xs)], xs[(done+i)%len(xs)]
			for yy := y0; yy < y0+patch; yy++ {
				for xx := x0; xx < x0+patch; xx++ {
					sum[yy*W+xx] += drop
					count[yy*W+xx]++
				}
			}
		}
		done += n
		if r.opt.Progress != nil {
			r.opt.Progress(done, total)
		}
	}
	m := make([]float32, H*W)
	for i := range m {
		if count[i] > 0 {
			m[i] = float32(sum[i] / float64(count[i]))
		}
	}
	return m, nil
}

// softmax of a vector: the engine's kernel (one definition of the
// arithmetic, so a map's probabilities are the run's).
func softmax(x []float32) []float32 {
	out := make([]float32, len(x))
	tensor.Softmax(out, x, 1, len(x), 1, false)
	return out
}

func argmax(v []float32) int {
	best := 0
	for i := range v {
		if v[i] > v[best] {
			best = i
		}
	}
	return best
}

func workers(n int) int {
	if n <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return n
}
