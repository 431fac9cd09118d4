// Package hdf5 is a minimal, read-only HDF5 reader for the files Keras
// writes through h5py (legacy .h5 models and the model.weights.h5 inside a
// .keras archive). It reads the whole file from memory and never trusts an
// offset, a length or a count: every read is bounds-checked, recursion and
// lists are bounded, and the bytes a dataset decodes to are charged to a
// format.Budget before they are allocated. Bad input is an error naming the
// structure, never a panic.
//
// It reads:
//   - superblocks version 0 to 3 (a user block before the superblock too);
//   - object headers version 1 and 2, with continuation blocks;
//   - groups: old-style symbol tables (B-tree v1 and local heap) and
//     new-style link messages, compact or dense (fractal heap with a
//     version 2 B-tree name index), hard links only;
//   - datasets: compact, contiguous and chunked (B-tree v1 index, and the
//     single-chunk, implicit and unpaged fixed-array indexes of layout
//     version 4), with the deflate and shuffle filters;
//   - datatypes: fixed-point integers (1–8 bytes, either byte order),
//     IEEE floats of 2, 4 and 8 bytes, fixed-length strings and
//     variable-length strings (in the global heap);
//   - attributes, in the object header (compact storage) or in a fractal
//     heap (dense storage, with huge objects: a model_config over 64 KiB
//     written with libver latest).
//
// It does not read: soft and external links (reported), the extensible-array, version 2 B-tree and paged fixed-array
// chunk indexes, filters other than deflate and shuffle (szip, Fletcher32
// checksums are not verified, scale-offset, n-bit), compound, enum, array,
// reference, time, bitfield and opaque datatypes, virtual datasets, and
// fill values (unallocated data reads as zeros). Checksums of version 2
// structures are not verified.
package hdf5
