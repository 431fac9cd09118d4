package server

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"strconv"
	"unsafe"
)

// BinaryContentType is the media type of binary responses (docs/api.md).
const BinaryContentType = "application/vnd.convscope.tensors"

// num is a float that encodes NaN and ±Inf as JSON null (JSON has no such
// numbers) and finite values in their shortest float32 form.
type num float32

func (f num) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 32), nil
}

func nums(x []float32) []num {
	out := make([]num, len(x))
	for i, v := range x {
		out[i] = num(v)
	}
	return out
}

// minMax returns the smallest and largest finite values of x (0, 0 if
// there are none).
func minMax(x []float32) (lo, hi float32) {
	const big = math.MaxFloat32
	first := true
	for _, v := range x {
		// Skips NaN (fails both tests) and ±Inf.
		if !(v >= -big && v <= big) {
			continue
		}
		if first {
			lo, hi, first = v, v, false
			continue
		}
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	return lo, hi
}

// tensorBlob is a float32 array placed in the data section.
type tensorBlob struct {
	data []float32
}

// packer lays out float32 arrays in a data section and remembers their
// offsets (bytes from the start of the data section, multiples of 4).
type packer struct {
	blobs []tensorBlob
	size  int
}

// add reserves room for data and returns its offset.
func (p *packer) add(data []float32) int {
	off := p.size
	p.blobs = append(p.blobs, tensorBlob{data})
	p.size += 4 * len(data)
	return off
}

// encode writes [uint32 LE header length][header JSON][zero padding to a
// multiple of 4][data section].
func (p *packer) encode(header any) ([]byte, error) {
	h, err := json.Marshal(header)
	if err != nil {
		return nil, err
	}
	start := (4 + len(h) + 3) &^ 3
	out := make([]byte, start+p.size)
	binary.LittleEndian.PutUint32(out, uint32(len(h)))
	copy(out[4:], h)
	o := start
	for _, b := range p.blobs {
		o += putFloats(out[o:], b.data)
	}
	return out, nil
}

// littleEndian reports whether this machine stores float32 as the wire
// format does, so that the data section can be copied as memory.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// putFloats writes x as little-endian float32 and returns the bytes written.
func putFloats(dst []byte, x []float32) int {
	n := 4 * len(x)
	if littleEndian && n > 0 {
		return copy(dst[:n], unsafe.Slice((*byte)(unsafe.Pointer(&x[0])), n))
	}
	for i, v := range x {
		binary.LittleEndian.PutUint32(dst[4*i:], math.Float32bits(v))
	}
	return n
}
