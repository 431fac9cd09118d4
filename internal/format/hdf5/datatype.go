package hdf5

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/convscope/convscope/internal/tensor"
)

// Datatype classes read.
const (
	classFixed  = 0
	classFloat  = 1
	classString = 3
	classVarLen = 9
)

// datatype is a decoded datatype message.
type datatype struct {
	class  int
	size   int
	be     bool // big-endian
	signed bool
	vlStr  bool // variable-length string
	vlBase *datatype
	layout [5]int // float: sign bit, exponent location/size, mantissa location/size
}

func parseDatatype(b []byte, what string) (*datatype, int, error) {
	r := &reader{b: b, what: "datatype of " + what}
	cv := r.u8()
	bf := r.bytes(3)
	size := r.u32()
	if r.err != nil {
		return nil, 0, r.err
	}
	t := &datatype{class: int(cv & 0x0f), size: int(size)}
	if size == 0 || size > 1<<20 {
		return nil, 0, fmt.Errorf("%s: element size %d", r.what, size)
	}
	switch t.class {
	case classFixed:
		t.be, t.signed = bf[0]&1 != 0, bf[0]&8 != 0
		r.skip(4)
		if t.size > 8 {
			return nil, 0, fmt.Errorf("%s: %d-byte integers are not supported", r.what, t.size)
		}
	case classFloat:
		t.be = bf[0]&1 != 0
		if bf[0]&0x40 != 0 {
			return nil, 0, fmt.Errorf("%s: VAX floats are not supported", r.what)
		}
		r.skip(4) // bit offset, precision
		t.layout = [5]int{int(bf[1]), int(r.u8()), int(r.u8()), int(r.u8()), int(r.u8())}
		r.skip(4) // exponent bias
		ok := t.size == 2 && t.layout == [5]int{15, 10, 5, 0, 10} ||
			t.size == 4 && t.layout == [5]int{31, 23, 8, 0, 23} ||
			t.size == 8 && t.layout == [5]int{63, 52, 11, 0, 52}
		if r.err == nil && !ok {
			return nil, 0, fmt.Errorf("%s: a %d-byte float that is not IEEE 754 binary16/32/64", r.what, t.size)
		}
	case classString:
	case classVarLen:
		if bf[0]&0x0f != 1 {
			return nil, 0, fmt.Errorf("%s: variable-length sequences are not supported (only strings)", r.what)
		}
		t.vlStr = true
		base, n, err := parseDatatype(r.b[r.off:], what)
		if err != nil {
			return nil, 0, err
		}
		r.skip(n)
		t.vlBase = base
	default:
		return nil, 0, fmt.Errorf("%s: datatype class %d is not supported (integers, floats, strings)", r.what, t.class)
	}
	return t, r.off, r.err
}

func (t *datatype) numeric() bool { return t.class == classFixed || t.class == classFloat }

func (t *datatype) order() binary.ByteOrder {
	if t.be {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// toFloat32 converts n numeric elements of raw to float32.
func (t *datatype) toFloat32(dst []float32, raw []byte) {
	o := t.order()
	s := t.size
	for i := range dst {
		p := raw[i*s : (i+1)*s]
		var v float32
		switch {
		case t.class == classFloat && s == 4:
			v = math.Float32frombits(o.Uint32(p))
		case t.class == classFloat && s == 8:
			v = float32(math.Float64frombits(o.Uint64(p)))
		case t.class == classFloat:
			v = tensor.HalfToFloat(o.Uint16(p))
		default:
			var u uint64
			for k := 0; k < s; k++ {
				b := p[k]
				if t.be {
					u = u<<8 | uint64(b)
				} else {
					u |= uint64(b) << (8 * k)
				}
			}
			if t.signed && s < 8 && u&(1<<(8*s-1)) != 0 {
				u |= ^uint64(0) << (8 * s)
			}
			if t.signed {
				v = float32(int64(u))
			} else {
				v = float32(u)
			}
		}
		dst[i] = v
	}
}

// parseDataspace returns the dimensions (nil for a scalar); null is true
// for a null dataspace.
func parseDataspace(b []byte, f *File, what string) (dims []uint64, null bool, err error) {
	r := &reader{f: f, b: b, what: "dataspace of " + what}
	version := r.u8()
	rank := int(r.u8())
	flags := r.u8()
	switch version {
	case 1:
		r.skip(5)
	case 2:
		switch r.u8() {
		case 0:
			return nil, false, r.err
		case 2:
			return nil, true, r.err
		}
	default:
		if r.err == nil {
			return nil, false, fmt.Errorf("%s: version %d is not supported", r.what, version)
		}
	}
	if rank > MaxRank {
		return nil, false, fmt.Errorf("%s: rank %d is larger than %d", r.what, rank, MaxRank)
	}
	dims = make([]uint64, rank)
	for i := range dims {
		dims[i] = r.length()
	}
	_ = flags
	return dims, false, r.err
}
