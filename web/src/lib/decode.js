// Decoding of the server's binary responses (docs/api.md, "Binary
// responses"): a little-endian uint32 header length, a UTF-8 JSON header,
// zero padding to a multiple of 4 bytes, then float32 little-endian data.
// Offsets in the header count bytes from the start of the data section.

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** dataStart returns where the data section begins for a header of n bytes. */
export function dataStart(headerLength) {
  return (4 + headerLength + 3) & ~3;
}

/**
 * decodeTensors parses a binary response.
 * @param {ArrayBuffer} buf
 * @returns {{header: any, floats: (offset: number, length: number) => Float32Array}}
 * floats returns a zero-copy Float32Array view (a copy on big-endian hosts).
 */
export function decodeTensors(buf) {
  if (!(buf instanceof ArrayBuffer)) throw new TypeError('decodeTensors needs an ArrayBuffer');
  if (buf.byteLength < 4) throw new Error('binary response too short');
  const dv = new DataView(buf);
  const n = dv.getUint32(0, true);
  if (4 + n > buf.byteLength) throw new Error(`binary header of ${n} bytes exceeds the ${buf.byteLength}-byte response`);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, n)));
  const start = dataStart(n);
  const floats = (offset, length) => {
    if (offset % 4 !== 0 || offset < 0 || length < 0 || start + offset + 4 * length > buf.byteLength) {
      throw new RangeError(`tensor at ${offset}+${length} lies outside the data section`);
    }
    if (littleEndian) return new Float32Array(buf, start + offset, length);
    const out = new Float32Array(length);
    for (let i = 0; i < length; i++) out[i] = dv.getFloat32(start + offset + 4 * i, true);
    return out;
  };
  return { header, floats };
}

/**
 * decodeRun turns a run response into {header, values}: values maps each
 * value name to {…its header entry, data: Float32Array}.
 */
export function decodeRun(buf) {
  const { header, floats } = decodeTensors(buf);
  const values = new Map();
  for (const v of header.values || []) {
    values.set(v.name, { ...v, data: floats(v.offset, v.length) });
  }
  return { header, values };
}

/**
 * encodeTensors builds a binary response (used by tests and tools): header
 * is an object whose entries reference arrays by offset; arrays are laid out
 * in order and their offsets returned through the callback.
 */
export function encodeTensors(makeHeader, arrays) {
  const offsets = [];
  let size = 0;
  for (const a of arrays) {
    offsets.push(size);
    size += 4 * a.length;
  }
  const h = new TextEncoder().encode(JSON.stringify(makeHeader(offsets)));
  const start = dataStart(h.length);
  const buf = new ArrayBuffer(start + size);
  const dv = new DataView(buf);
  dv.setUint32(0, h.length, true);
  new Uint8Array(buf, 4, h.length).set(h);
  arrays.forEach((a, k) => {
    for (let i = 0; i < a.length; i++) dv.setFloat32(start + offsets[k] + 4 * i, a[i], true);
  });
  return buf;
}
