package hdf5

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/convscope/convscope/internal/format"
)

// Limits on the structures one file may have.
const (
	MaxDepth    = 64      // nesting of B-trees, continuations, heaps
	MaxMessages = 1 << 16 // header messages per object
	MaxLinks    = 1 << 20 // links per group
	MaxRank     = 32
)

var signature = []byte("\x89HDF\r\n\x1a\n")

// IsHDF5 reports whether head starts like an HDF5 file (no user block).
func IsHDF5(head []byte) bool { return bytes.HasPrefix(head, signature) }

// undef is the undefined address.
const undef = ^uint64(0)

// File is an HDF5 file held in memory.
type File struct {
	data    []byte
	base    uint64 // base address: addresses are relative to it
	offSize int    // bytes of an address
	lenSize int    // bytes of a length
	root    uint64 // the root group's object header
	budget  *format.Budget
	objects map[uint64]*Object // parsed object headers, by address
}

// Open parses the superblock of an HDF5 file. The data of datasets it
// decodes later is charged to budget (never nil).
func Open(data []byte, budget *format.Budget) (*File, error) {
	f := &File{data: data, budget: budget, objects: map[uint64]*Object{}}
	sb := -1
	for off := 0; off+len(signature) <= len(data); off = max(512, off*2) {
		if bytes.Equal(data[off:off+len(signature)], signature) {
			sb = off
			break
		}
	}
	if sb < 0 {
		return nil, errors.New("not an HDF5 file (no superblock signature)")
	}
	r := &reader{f: f, b: data[sb:], what: "superblock"}
	r.skip(8)
	version := r.u8()
	switch version {
	case 0, 1:
		r.skip(4) // free-space, root symbol table, reserved, shared header versions
		f.offSize, f.lenSize = int(r.u8()), int(r.u8())
		if err := f.checkSizes(); err != nil {
			return nil, err
		}
		r.skip(1 + 2 + 2 + 4) // reserved, leaf K, internal K, flags
		if version == 1 {
			r.skip(4)
		}
		f.base = r.addr()
		r.addr() // free space
		r.addr() // end of file
		r.addr() // driver info
		// Root group symbol table entry.
		r.addr() // link name offset
		f.root = r.addr()
	case 2, 3:
		f.offSize, f.lenSize = int(r.u8()), int(r.u8())
		if err := f.checkSizes(); err != nil {
			return nil, err
		}
		r.skip(1) // flags
		f.base = r.addr()
		r.addr() // superblock extension
		r.addr() // end of file
		f.root = r.addr()
	default:
		return nil, fmt.Errorf("HDF5 superblock version %d is not supported (0 to 3)", version)
	}
	if r.err != nil {
		return nil, r.err
	}
	if f.base == undef || f.base > uint64(len(data)) {
		return nil, fmt.Errorf("HDF5 base address %#x is outside the file", f.base)
	}
	if f.base == 0 {
		f.base = uint64(sb)
	}
	return f, nil
}

func (f *File) checkSizes() error {
	for _, s := range []int{f.offSize, f.lenSize} {
		if s != 2 && s != 4 && s != 8 {
			return fmt.Errorf("HDF5 offset/length size %d is not 2, 4 or 8", s)
		}
	}
	return nil
}

// at returns a reader of the n bytes at address addr (n < 0: to the end of
// the file).
func (f *File) at(addr uint64, n int64, what string) (*reader, error) {
	if addr == undef {
		return nil, fmt.Errorf("%s: undefined address", what)
	}
	start := f.base + addr
	if start < addr || start > uint64(len(f.data)) {
		return nil, fmt.Errorf("%s at address %#x is outside the file (%d bytes)", what, addr, len(f.data))
	}
	end := uint64(len(f.data))
	if n >= 0 {
		if uint64(n) > end-start {
			return nil, fmt.Errorf("%s at address %#x needs %d bytes, past the end of the file (%d bytes)", what, addr, n, len(f.data))
		}
		end = start + uint64(n)
	}
	return &reader{f: f, b: f.data[start:end], what: what}, nil
}

// reader decodes little-endian fields; the first error sticks and reads
// after it return zeros.
type reader struct {
	f    *File
	b    []byte
	off  int
	err  error
	what string
}

func (r *reader) need(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b)-r.off {
		r.err = fmt.Errorf("%s is truncated (needs %d bytes at offset %d of %d)", r.what, n, r.off, len(r.b))
		return nil
	}
	p := r.b[r.off : r.off+n]
	r.off += n
	return p
}

func (r *reader) skip(n int)         { r.need(n) }
func (r *reader) bytes(n int) []byte { return r.need(n) }
func (r *reader) left() int          { return len(r.b) - r.off }

func (r *reader) u8() uint8 {
	if p := r.need(1); p != nil {
		return p[0]
	}
	return 0
}

func (r *reader) u16() uint16 {
	if p := r.need(2); p != nil {
		return binary.LittleEndian.Uint16(p)
	}
	return 0
}

func (r *reader) u32() uint32 {
	if p := r.need(4); p != nil {
		return binary.LittleEndian.Uint32(p)
	}
	return 0
}

// uN reads an n-byte unsigned integer (n ≤ 8).
func (r *reader) uN(n int) uint64 {
	if n > 8 {
		r.skip(n)
		if r.err == nil {
			r.err = fmt.Errorf("%s: a %d-byte integer field", r.what, n)
		}
		return 0
	}
	p := r.need(n)
	var v uint64
	for i := len(p) - 1; i >= 0; i-- {
		v = v<<8 | uint64(p[i])
	}
	return v
}

// addr reads an address; all ones is undef whatever the size.
func (r *reader) addr() uint64 {
	v := r.uN(r.f.offSize)
	if r.f.offSize < 8 && v == 1<<(8*r.f.offSize)-1 {
		return undef
	}
	return v
}

func (r *reader) length() uint64 { return r.uN(r.f.lenSize) }

// sig checks a 4-byte signature.
func (r *reader) sig(s string) {
	p := r.need(4)
	if r.err == nil && string(p) != s {
		r.err = fmt.Errorf("%s: expected signature %q, found %q", r.what, s, p)
	}
}

// cstring reads a NUL-terminated string from b at off.
func cstring(b []byte, off uint64, what string) (string, error) {
	if off >= uint64(len(b)) {
		return "", fmt.Errorf("%s: name offset %d is outside the heap (%d bytes)", what, off, len(b))
	}
	s := b[off:]
	i := bytes.IndexByte(s, 0)
	if i < 0 {
		return "", fmt.Errorf("%s: name at offset %d is not terminated", what, off)
	}
	return string(s[:i]), nil
}
