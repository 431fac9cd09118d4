package hdf5

import (
	"fmt"
)

// message is one object header message.
type message struct {
	typ  uint16
	data []byte
}

// Header message types read.
const (
	msgDataspace    = 0x01
	msgLinkInfo     = 0x02
	msgDatatype     = 0x03
	msgLink         = 0x06
	msgLayout       = 0x08
	msgFilters      = 0x0B
	msgAttribute    = 0x0C
	msgContinuation = 0x10
	msgSymbolTable  = 0x11
	msgAttrInfo     = 0x15
)

// Object is a group or a dataset: its header's messages.
type Object struct {
	f    *File
	addr uint64
	Path string
	msgs []message
}

// object parses the object header at addr (once per address).
func (f *File) object(addr uint64, path string) (*Object, error) {
	if o, ok := f.objects[addr]; ok {
		c := *o
		c.Path = path
		return &c, nil
	}
	if len(f.objects) >= MaxLinks {
		return nil, fmt.Errorf("the file has more than %d objects", MaxLinks)
	}
	o := &Object{f: f, addr: addr, Path: path}
	what := fmt.Sprintf("object header of %q", path)
	r, err := f.at(addr, -1, what)
	if err != nil {
		return nil, err
	}
	if len(r.b) >= 4 && string(r.b[:4]) == "OHDR" {
		err = o.parseV2(r, what)
	} else {
		err = o.parseV1(r, what)
	}
	if err != nil {
		return nil, err
	}
	f.objects[addr] = o
	return o, nil
}

type span64 struct{ addr, n uint64 }

func (o *Object) parseV1(r *reader, what string) error {
	version := r.u8()
	if r.err == nil && version != 1 {
		return fmt.Errorf("%s: version %d is not supported (1 or 2)", what, version)
	}
	r.skip(1)
	r.skip(2) // number of messages
	r.skip(4) // reference count
	size := r.u32()
	r.skip(4) // padding to 8 bytes
	if r.err != nil {
		return r.err
	}
	return o.readMessages(span64{o.addr + 16, uint64(size)}, false, false, what)
}

func (o *Object) parseV2(r *reader, what string) error {
	r.skip(4)
	version := r.u8()
	if r.err == nil && version != 2 {
		return fmt.Errorf("%s: OHDR version %d is not supported", what, version)
	}
	flags := r.u8()
	if flags&0x20 != 0 {
		r.skip(16) // times
	}
	if flags&0x10 != 0 {
		r.skip(4) // attribute phase change
	}
	size := r.uN(1 << (flags & 3))
	if r.err != nil {
		return r.err
	}
	return o.readMessages(span64{o.addr + uint64(r.off), size}, true, flags&0x04 != 0, what)
}

// readMessages reads the messages of a header's first block and of the
// continuation blocks they name (v2: blocks after the first start with
// "OCHK" and end in a checksum; order: messages carry a creation order).
func (o *Object) readMessages(first span64, v2, order bool, what string) error {
	blocks := []span64{first}
	hdr := 8 // v1: type (2), size (2), flags (1), reserved (3)
	if v2 {
		hdr = 4 // type (1), size (2), flags (1)
		if order {
			hdr = 6
		}
	}
	for i := 0; i < len(blocks); i++ {
		if i > MaxDepth*16 {
			return fmt.Errorf("%s: too many continuation blocks", what)
		}
		br, err := o.f.at(blocks[i].addr, int64(min(blocks[i].n, 1<<40)), what)
		if err != nil {
			return err
		}
		if v2 && i > 0 {
			br.sig("OCHK")
			if len(br.b) >= 4 {
				br.b = br.b[:len(br.b)-4]
			}
		}
		for br.left() >= hdr {
			typ, read := uint16(0), 3
			if v2 {
				typ = uint16(br.u8())
			} else {
				typ, read = br.u16(), 4
			}
			n := int(br.u16())
			br.skip(hdr - read) // flags, reserved or creation order
			data := br.bytes(n)
			if br.err != nil {
				return br.err
			}
			if err := o.addMessage(typ, data, &blocks, what); err != nil {
				return err
			}
		}
	}
	return nil
}

func (o *Object) addMessage(typ uint16, data []byte, blocks *[]span64, what string) error {
	if len(o.msgs) >= MaxMessages {
		return fmt.Errorf("%s has more than %d messages", what, MaxMessages)
	}
	if typ == msgContinuation {
		r := &reader{f: o.f, b: data, what: what + " continuation"}
		a, n := r.addr(), r.length()
		if r.err != nil {
			return r.err
		}
		for _, b := range *blocks {
			if b.addr == a {
				return fmt.Errorf("%s: continuation blocks form a cycle", what)
			}
		}
		*blocks = append(*blocks, span64{a, n})
		return nil
	}
	o.msgs = append(o.msgs, message{typ, data})
	return nil
}

func (o *Object) first(typ uint16) []byte {
	for _, m := range o.msgs {
		if m.typ == typ {
			return m.data
		}
	}
	return nil
}

// IsDataset reports whether the object is a dataset (it has a layout).
func (o *Object) IsDataset() bool { return o.first(msgLayout) != nil }

// IsGroup reports whether the object is a group.
func (o *Object) IsGroup() bool {
	return o.first(msgSymbolTable) != nil || o.first(msgLinkInfo) != nil || o.first(msgLink) != nil
}
