//go:build unix

package train

import "syscall"

// processCPU is the CPU time this process has used (user + system), in
// seconds; unlike the wall time it does not grow when other processes
// share the cores.
func processCPU() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
