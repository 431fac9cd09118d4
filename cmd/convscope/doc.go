// Command convscope shows what happens inside convolutional neural
// networks: a local web app (serve) and a CLI (predict, analyze, conform,
// train, eval). Run "convscope help" for the commands.
//
// # Conventions
//
//   - main only calls run(ctx, args, stdio); every command lives in its own
//     file and registers itself in an init function, so commands stay thin
//     and testable in-process with captured streams.
//   - Results go to stdout, diagnostics to stderr. A mistake in the command
//     line exits with status 2; any other failure with status 1, after an
//     error message that names the file and the problem.
//   - This package and internal/server are the only places that wire the
//     parts (formats, engine, analysis, training) together; flags live here.
package main
