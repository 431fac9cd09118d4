package tensor

import "math"

// ResizeMode selects the interpolation of Resize.
type ResizeMode int

const (
	ResizeNearest ResizeMode = iota
	ResizeBilinear
	// ResizeBilinearAsymmetric samples at dst·ratio (TF 1, TF.js
	// resizeBilinear, ONNX coordinate_transformation_mode asymmetric).
	ResizeBilinearAsymmetric
)

// Resize scales each of the nc planes of src (h×w) to oh×ow. ratioH and
// ratioW are the input distance per output step (in/out, or 1/scale when the
// size came from a scale factor).
//
// Sampling conventions:
//   - nearest: source index floor(dst·ratio) ("asymmetric", as Caffe
//     Upsample, ONNX Upsample and Keras UpSampling2D), clamped to the input;
//   - bilinear: source coordinate (dst+0.5)·ratio − 0.5 clamped at 0
//     ("half-pixel", as PyTorch align_corners=False and TensorFlow 2);
//   - alignCorners (either mode): source coordinate dst·(in−1)/(out−1), so
//     the corner cells of input and output coincide (Caffe Interp); nearest
//     rounds it.
func Resize(dst, src []float32, nc, h, w, oh, ow int, mode ResizeMode, alignCorners bool, ratioH, ratioW float32) {
	ys := sampling(h, oh, mode, alignCorners, ratioH)
	xs := sampling(w, ow, mode, alignCorners, ratioW)
	plane, oplane := h*w, oh*ow
	for p := 0; p < nc; p++ {
		in := src[p*plane : (p+1)*plane]
		out := dst[p*oplane : (p+1)*oplane]
		if mode == ResizeNearest {
			for oy, sy := range ys {
				row, o := in[sy.lo*w:(sy.lo+1)*w], out[oy*ow:(oy+1)*ow]
				for ox, sx := range xs {
					o[ox] = row[sx.lo]
				}
			}
			continue
		}
		for oy, sy := range ys {
			r0, r1 := in[sy.lo*w:(sy.lo+1)*w], in[sy.hi*w:(sy.hi+1)*w]
			o := out[oy*ow : (oy+1)*ow]
			for ox, sx := range xs {
				top := r0[sx.lo] + (r0[sx.hi]-r0[sx.lo])*sx.frac
				bot := r1[sx.lo] + (r1[sx.hi]-r1[sx.lo])*sx.frac
				o[ox] = top + (bot-top)*sy.frac
			}
		}
	}
}

// sample is where one output index reads: lo + frac·(hi − lo).
type sample struct {
	lo, hi int
	frac   float32
}

func sampling(in, out int, mode ResizeMode, align bool, ratio float32) []sample {
	s := make([]sample, out)
	for o := range s {
		var x float64
		switch {
		case align:
			if out > 1 {
				x = float64(o) * float64(in-1) / float64(out-1)
			}
		case mode == ResizeNearest, mode == ResizeBilinearAsymmetric:
			x = float64(o) * float64(ratio)
		default:
			x = (float64(o)+0.5)*float64(ratio) - 0.5
		}
		x = math.Max(x, 0)
		if mode == ResizeNearest {
			var i int
			if align {
				i = int(math.Round(x))
			} else {
				i = int(math.Floor(x))
			}
			i = min(i, in-1)
			s[o] = sample{i, i, 0}
			continue
		}
		lo := min(int(math.Floor(x)), in-1)
		hi := min(lo+1, in-1)
		s[o] = sample{lo, hi, float32(x - float64(lo))}
	}
	return s
}
