package lite

// A Header is the header of a request or a response, keyed by canonical
// names (CanonicalHeaderKey), like http.Header.
type Header map[string][]string

// Add adds the value to those of key.
func (h Header) Add(key, value string) {
	key = CanonicalHeaderKey(key)
	h[key] = append(h[key], value)
}

// Set replaces the values of key with value.
func (h Header) Set(key, value string) { h[CanonicalHeaderKey(key)] = []string{value} }

// Get returns the first value of key, or "".
func (h Header) Get(key string) string {
	if v := h[CanonicalHeaderKey(key)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Values returns the values of key (not a copy).
func (h Header) Values(key string) []string { return h[CanonicalHeaderKey(key)] }

// Del deletes the values of key.
func (h Header) Del(key string) { delete(h, CanonicalHeaderKey(key)) }

// Clone returns a copy of h (nil for nil).
func (h Header) Clone() Header {
	if h == nil {
		return nil
	}
	c := make(Header, len(h))
	for k, v := range h {
		c[k] = append([]string(nil), v...)
	}
	return c
}

// CanonicalHeaderKey returns the canonical form of a header name, as
// net/textproto.CanonicalMIMEHeaderKey does: the first letter and each one
// after a hyphen upper case, the others lower case ("content-type" →
// "Content-Type"). A name with a byte that is not a token character
// (RFC 7230: a space, say) is returned unchanged.
func CanonicalHeaderKey(s string) string {
	canonical := true
	upper := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !tokenByte(c) {
			return s
		}
		if upper && 'a' <= c && c <= 'z' || !upper && 'A' <= c && c <= 'Z' {
			canonical = false
		}
		upper = c == '-'
	}
	if canonical {
		return s
	}
	b := []byte(s)
	upper = true
	for i, c := range b {
		if upper && 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		} else if !upper && 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
		upper = c == '-'
	}
	return string(b)
}

// tokenByte reports whether c may appear in a header name or a method
// (RFC 7230 tchar).
func tokenByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}
