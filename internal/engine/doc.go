// Package engine executes a graph.Graph on float32 inputs and returns every
// intermediate activation (Compile), or only the outputs (CompileFinal).
//
// # Conventions
//
//   - Compile plans a graph once for a batch size: it infers every shape,
//     checks that all parameters are present and allocates one buffer per
//     value. Run then computes without allocating for the values themselves.
//     CompileFinal instead recycles a value's buffer once its last reader has
//     run (prediction, profiling); every step must therefore write all of
//     its output, never rely on a buffer's earlier contents.
//   - Convolutions are planned once (tensor.NewConv: weights packed for the
//     micro-kernel at Compile). An activation that reads a convolution's
//     output is fused into it: Compile keeps both values, the convolution
//     writing the activation of each part right after computing it;
//     CompileFinal overwrites the convolution's output when the activation
//     is its only reader. So is an add of a convolution's output and a
//     same-shape value computed before the convolution runs (a residual
//     connection), and an activation of that sum: Compile keeps the
//     convolution's output, the sum and the activation; CompileFinal writes
//     the sum over the convolution's output when the add is its only reader.
//     A fused node's own step does nothing (RunTimed reports it as 0).
//   - The activations Run returns are owned by the Program and are valid
//     until the next call of Run; copy what you keep. A Program is not safe
//     for concurrent use: use one per goroutine (they are cheap to Compile
//     again and share the graph's parameters, which are never written).
//   - Values are NCHW float32. Value-preserving operators (Identity,
//     Dropout, Flatten in NCHW order) alias their input's buffer.
//   - Each operator type has one planner, registered next to it with
//     register (a registry keyed by the op's Go type, not a list): it
//     allocates the node's outputs at Compile and returns the step Run calls.
//   - The engine never imports a file format or the server: it runs graphs
//     whatever file they came from.
package engine
