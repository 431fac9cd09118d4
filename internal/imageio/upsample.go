package imageio

// plane is one 8-bit sample plane of w×h samples.
type plane struct {
	pix    []uint8
	stride int
	w, h   int
}

func (p plane) row(y int) []uint8 { return p.pix[y*p.stride : y*p.stride+p.w] }

// clampedRow returns row y, replicating the first and last rows beyond the
// edges as libjpeg's context rows do (jdmainct.c).
func (p plane) clampedRow(y int) []uint8 {
	return p.row(min(max(y, 0), p.h-1))
}

// upsample expands a whole chroma plane by hf×vf; see upsampleRow.
func upsample(p plane, hf, vf int) plane {
	out := plane{w: p.w * hf, h: p.h * vf}
	out.stride = out.w
	out.pix = make([]uint8, out.w*out.h)
	for y := range out.h {
		upsampleRow(p, hf, vf, y, out.row(y))
	}
	return out
}

// upsampleRow writes row y of p expanded by hf×vf into out (len p.w·hf),
// the way libjpeg-turbo's jdsample.c does with do_fancy_upsampling (its
// default, used by Chromium). Callers use the image-sized part.
func upsampleRow(p plane, hf, vf, y int, out []uint8) {
	r := y / vf
	near, far, bias := p.row(r), p.row(r), 0
	if vf == 2 { // the other input row nearest to output row y
		if y%2 == 0 {
			far, bias = p.clampedRow(r-1), 1
		} else {
			far, bias = p.clampedRow(r+1), 2
		}
	}
	switch {
	case hf == 1 && vf == 1:
		copy(out, near)
	case hf == 2 && vf == 1 && p.w > 2:
		h2v1FancyRow(near, out)
	case hf == 2 && vf == 2 && p.w > 2:
		h2v2FancyRow(near, far, out)
	case hf == 1 && vf == 2:
		h1v2FancyRow(near, far, bias, out)
	default:
		// int_upsample / h2v1_upsample / h2v2_upsample: replication, used
		// for 4:1:1, 4:1:0 and chroma planes at most two samples wide.
		for x := range out {
			out[x] = near[x/hf]
		}
	}
}

// h2v1FancyRow is libjpeg-turbo's h2v1_fancy_upsample for one row: each
// output sample is 3/4 of the nearer plus 1/4 of the further input sample,
// with rounding biases alternating 1, 2 so that halves do not always round
// up. len(in) must be > 2 and len(out) == 2·len(in).
func h2v1FancyRow(in, out []uint8) {
	n := len(in)
	out[0] = in[0]
	out[1] = uint8((int(in[0])*3 + int(in[1]) + 2) >> 2)
	for i := 1; i < n-1; i++ {
		v := int(in[i]) * 3
		out[2*i] = uint8((v + int(in[i-1]) + 1) >> 2)
		out[2*i+1] = uint8((v + int(in[i+1]) + 2) >> 2)
	}
	out[2*n-2] = uint8((int(in[n-1])*3 + int(in[n-2]) + 1) >> 2)
	out[2*n-1] = in[n-1]
}

// h2v2FancyRow is one output row of libjpeg-turbo's h2v2_fancy_upsample:
// near is the input row containing the output row, far the adjacent input
// row on the output row's side. Vertically 3/4·near + 1/4·far (column
// sums), then horizontally likewise, with biases 8 and 7 on the /16.
// len(near) == len(far) > 2 and len(out) == 2·len(near).
func h2v2FancyRow(near, far, out []uint8) {
	n := len(near)
	sum := func(i int) int { return int(near[i])*3 + int(far[i]) }
	this, next := sum(0), sum(1)
	out[0] = uint8((this*4 + 8) >> 4)
	out[1] = uint8((this*3 + next + 7) >> 4)
	last := this
	this = next
	for i := 1; i < n-1; i++ {
		next = sum(i + 1)
		out[2*i] = uint8((this*3 + last + 8) >> 4)
		out[2*i+1] = uint8((this*3 + next + 7) >> 4)
		last, this = this, next
	}
	out[2*n-2] = uint8((this*3 + last + 8) >> 4)
	out[2*n-1] = uint8((this*4 + 7) >> 4)
}

// h1v2FancyRow is one output row of libjpeg-turbo's h1v2_fancy_upsample
// (4:4:0): (3·near + far + bias) / 4 with bias 1 for the upper and 2 for the
// lower output row of each input row, as in libjpeg-turbo 2.1 and later.
func h1v2FancyRow(near, far []uint8, bias int, out []uint8) {
	for i := range near {
		out[i] = uint8((int(near[i])*3 + int(far[i]) + bias) >> 2)
	}
}
