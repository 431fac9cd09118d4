// Package imageio turns an uploaded image file into the float32 tensor a
// CNN expects, reproducing what a browser (Chromium) would show for the same
// file as closely as practical.
//
// # Pipeline
//
// [Load] = [Decode] + [Fit] + [ToCHW]; [LoadWith] resizes as a model's
// [Preprocess] says (Fit, or [Stretch]), and [Preprocess.Apply] then
// normalises (x = (p·scale − mean)/std, optionally in B,G,R order;
// docs/preprocessing.md):
//
//  1. Decode sniffs the magic bytes and decodes JPEG, PNG, GIF (first frame),
//     WebP and BMP. Everything else is rejected with an error naming the
//     accepted formats. The result is always an opaque *image.RGBA whose
//     bounds start at (0, 0).
//  2. Fit scales the image to cover the model input and centre-crops it.
//  3. ToCHW lays the pixels out as a planar float32 tensor.
//
// # Decoding conventions
//
// JPEG is decoded the way libjpeg-turbo (and therefore Chromium) does it: Go's
// image/jpeg supplies the Y, Cb and Cr planes, then chroma is upsampled with
// libjpeg's "fancy" triangle filter (jdsample.c: h2v1, h2v2 and, as in
// libjpeg-turbo 2.1+, h1v2 with its alternating rounding biases; other
// ratios are replicated as libjpeg's int_upsample does) and converted to RGB
// with libjpeg's 16-bit fixed-point tables (jdcolor.c). What remains is the
// IDCT (Go's is not libjpeg's ISLOW): against Chromium's own decodes the
// result is within 3 levels, mean under 0.05. Grayscale JPEGs are
// replicated into R, G and B; CMYK/YCCK JPEGs use Chromium's inverted-CMYK
// formula R = C'·K'/255 on the inverted (Adobe) samples (for YCCK, the
// YCC→CMY step is Go's, without fancy upsampling). The EXIF orientation tag (APP1, IFD0, tag 0x0112,
// values 1–8) of a JPEG is applied, as browsers do; other formats' metadata
// is ignored.
//
// Lossy WebP is converted the way libwebp does (its fancy upsampler and
// BT.601 limited-range fixed-point YUV→RGB), which reproduces dwebp's pixels
// exactly; Go's image.YCbCr would wrongly treat VP8's samples as full-range.
// Lossless WebP, PNG, GIF and BMP are exact.
//
// Transparent pixels (PNG, GIF, WebP, BMP with alpha) are composited over
// opaque white: out = colour·α + 255·(1−α), computed in 16 bits and rounded
// to 8. A GIF frame smaller than the logical screen is placed on a white
// screen. Any other colour model (paletted, 16-bit, gray, NRGBA64, …) goes
// through the same general path, so 16-bit samples are rounded to the nearest
// 8-bit level.
//
// # Limits
//
// Before anything is decoded, the file is read through an io.LimitReader
// capped at [Limits.MaxBytes] (default 32 MiB) and the header is parsed with
// DecodeConfig; images of zero width or height, or with more than
// [Limits.MaxPixels] pixels (default 50 000 000), are rejected without
// allocating pixel memory. Errors from the third-party decoders are wrapped
// with the format that failed, and their panics are recovered into errors.
// Decoding an image at the pixel limit still needs a few hundred MB.
//
// # Fit
//
// Fit(img, w, h) behaves like torchvision's Resize(shorter side) followed by
// CenterCrop: the image is scaled by s = max(w/W, h/H) to W' = round(W·s) by
// H' = round(H·s) (at least w by h) and the centre w by h window is kept,
// starting at ((W'−w)/2, (H'−h)/2) rounded down. Only the kept pixels are
// computed. Each axis is resampled separably:
//
//   - same size: pixels are copied, so an image already w by h passes through
//     bit for bit;
//   - shrinking: area averaging, each output pixel being the mean of its
//     source footprint with exact fractional coverage at the edges (box
//     filter; computed with integer overlaps, no aliasing);
//   - enlarging: bilinear interpolation with pixel-centre alignment
//     (src = (dst+0.5)·W/W' − 0.5, clamped to the edge pixels), so tiny inputs
//     such as 1×1 or 10×300 work.
//
// Results are rounded half up to 8 bits.
//
// # Tensor layout
//
// ToCHW returns 3·h·w float32 values in planar CHW order (R plane, then G,
// then B; row-major inside each plane), each 8-bit level v mapped to v/255,
// so values lie in [0, 1]. Batch size 1 NCHW is the same memory layout.
package imageio
