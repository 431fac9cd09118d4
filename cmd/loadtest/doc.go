// Command loadtest drives the convscope HTTP API with concurrent clients,
// mixing valid runs with invalid requests, and reports throughput, latency
// percentiles, outcomes by kind and the server's peak memory.
//
//	go run ./cmd/loadtest -clients 32 -duration 10s              # starts its own server
//	go run ./cmd/loadtest -url http://127.0.0.1:8080 -pid 1234   # an existing one
//
// Without -url it builds cmd/convscope, starts "convscope serve --addr
// 127.0.0.1:0" and reads the server's URL from its first line of output.
// Every request goes to loopback; the run stops by itself after -duration.
//
// # Conventions
//
//   - It only ever sends traffic to loopback addresses; any other -url is
//     refused.
//   - A valid run must get 2xx; every invalid kind must get 4xx. Anything
//     else (5xx, transport errors, a valid request refused) is counted as
//     unexpected and makes the command exit with status 1.
//   - The server's peak memory is its VmHWM from /proc, read after the load.
package main
