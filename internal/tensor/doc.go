// Package tensor holds the kernels that compute on convscope's dense
// float32 tensors. It knows no graph: kernels take slices and explicit
// geometry. (The tensor type itself, shape and data, is graph.Tensor: node
// parameters are tensors, and graph imports no other package of ours.)
//
// # Conventions
//
//   - Data is row-major; feature maps are NCHW ([batch, channels, height,
//     width]). A kernel never allocates its output: the caller passes dst,
//     sized exactly, which lets the engine plan every buffer once.
//   - Convolution weights are [Cout, Cin/groups, KH, KW]; dense weights are
//     [Out, In] (y = x·Wᵀ + b).
//   - Padding is [top, left, bottom, right]; padded cells are zero for
//     convolution and ignored (max) or optionally counted (average) for
//     pooling.
//   - The functions in this package are the pure-Go reference kernels. They
//     run on every GOOS/GOARCH, js/wasm included; faster kernels must match
//     them and are tested against them.
package tensor
