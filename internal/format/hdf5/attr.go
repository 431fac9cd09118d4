package hdf5

import (
	"errors"
	"fmt"
)

// Attr returns the attribute name of an object, or nil if it has none.
func (o *Object) Attr(name string) (*Value, error) {
	for _, m := range o.msgs {
		if m.typ != msgAttribute {
			continue
		}
		n, v, err := o.attribute(m.data)
		if err != nil {
			return nil, err
		}
		if n == name {
			return v, nil
		}
	}
	if ai := o.first(msgAttrInfo); ai != nil {
		return o.denseAttr(ai, name)
	}
	return nil, nil
}

// denseAttr finds an attribute stored densely: attribute messages in a
// fractal heap, indexed by name in a version 2 B-tree (type 8 records:
// an 8-byte heap ID, flags, creation order, name hash).
func (o *Object) denseAttr(info []byte, name string) (*Value, error) {
	r := &reader{f: o.f, b: info, what: "attribute info of " + o.Path}
	r.skip(1)
	if flags := r.u8(); flags&1 != 0 {
		r.skip(2)
	}
	heapAddr, index := r.addr(), r.addr()
	if r.err != nil {
		return nil, r.err
	}
	if heapAddr == undef {
		return nil, nil
	}
	h, err := o.f.fractalHeap(heapAddr, "attribute heap of "+o.Path)
	if err != nil {
		return nil, err
	}
	var found *Value
	errFound := errors.New("found")
	err = o.f.btree2(index, "attribute name index of "+o.Path, func(rec []byte) error {
		if len(rec) < 8 {
			return fmt.Errorf("attribute name index of %s: record of %d bytes", o.Path, len(rec))
		}
		msg, err := h.object(rec[:8])
		if err != nil {
			return err
		}
		n, v, err := o.attribute(msg)
		if err != nil {
			return err
		}
		if n == name {
			found = v
			return errFound
		}
		return nil
	})
	if err != nil && err != errFound {
		return nil, err
	}
	return found, nil
}

// attribute decodes an attribute message.
func (o *Object) attribute(b []byte) (string, *Value, error) {
	r := &reader{f: o.f, b: b, what: "attribute of " + o.Path}
	version := r.u8()
	r.skip(1)
	nameLen, dtLen, dsLen := int(r.u16()), int(r.u16()), int(r.u16())
	pad := func(n int) int { return n }
	switch version {
	case 1:
		pad = func(n int) int { return (n + 7) / 8 * 8 }
	case 2:
	case 3:
		r.skip(1) // name encoding
	default:
		if r.err == nil {
			return "", nil, fmt.Errorf("%s: version %d is not supported", r.what, version)
		}
	}
	nb := r.bytes(pad(nameLen))
	if r.err != nil {
		return "", nil, r.err
	}
	name := string(nb[:nameLen])
	if k := indexNUL(name); k >= 0 {
		name = name[:k]
	}
	what := fmt.Sprintf("attribute %q of %q", name, o.Path)
	dtb := r.bytes(pad(dtLen))
	dsb := r.bytes(pad(dsLen))
	if r.err != nil {
		return "", nil, r.err
	}
	dt, _, err := parseDatatype(dtb, what)
	if err != nil {
		return "", nil, err
	}
	dims, null, err := parseDataspace(dsb, o.f, what)
	if err != nil {
		return "", nil, err
	}
	v, err := o.f.value(dt, dims, null, what)
	if err != nil {
		return "", nil, err
	}
	data := r.b[r.off:]
	need := v.Len() * dt.size
	v.raw = func() ([]byte, error) {
		if len(data) < need {
			return nil, fmt.Errorf("%s holds %d bytes, %d needed", what, len(data), need)
		}
		return data[:need], nil
	}
	return name, v, nil
}

func indexNUL(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return i
		}
	}
	return -1
}
