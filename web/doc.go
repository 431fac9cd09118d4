// Package web holds convscope's browser UI. Its sources (Svelte 5 + D3 7,
// built with Vite) live beside this file; the built files in dist/ are
// committed and embedded into the binary, so `go build` needs no Node.js.
// Rebuild them with `npm ci && npm run build` in this folder.
//
// # Conventions
//
//   - Math lives in small pure modules under src/lib with vitest tests;
//     components under src/components stay small and only draw.
//   - Test hooks: neuron elements carry data-layer and data-neuron; the app
//     root gets data-ready="true" once the current image is fully drawn.
//   - CI rebuilds dist/ and fails if it differs from the committed copy.
package web
