package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], stdio{os.Stdin, os.Stdout, os.Stderr})
	stop()
	if err != nil {
		var u usageError
		if !errors.As(err, &u) || u.msg != "" {
			fmt.Fprintln(os.Stderr, "convscope:", err)
		}
		os.Exit(exitCode(err))
	}
}

// stdio carries the streams a command uses, so tests can capture them.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// command is one subcommand. Each lives in its own file and registers
// itself in an init function.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, io stdio) error
}

var commands = map[string]command{}

func register(c command) { commands[c.name] = c }

// usageError marks a mistake in the command line (exit status 2).
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// parseFlags parses a command's flags. help is true after -h (the usage
// was printed; the command ends successfully); a bad flag is a usage error
// (the flag package already printed it).
func parseFlags(fs *flag.FlagSet, args []string) (help bool, err error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return true, nil
		}
		return false, usageError{}
	}
	return false, nil
}

func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

func run(ctx context.Context, args []string, io stdio) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printHelp(io.out)
		if len(args) == 0 {
			return usageError{}
		}
		return nil
	}
	c, ok := commands[args[0]]
	if !ok {
		printHelp(io.err)
		return usagef("unknown command %q", args[0])
	}
	return c.run(ctx, args[1:], io)
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "usage: convscope <command> [flags] [args]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun \"convscope <command> -h\" for a command's flags.")
}
