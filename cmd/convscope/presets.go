package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/convscope/convscope/internal/analyze"
	"github.com/convscope/convscope/internal/zoo"
)

func init() {
	register(command{name: "presets", summary: "list the built-in classic networks with their parameters and MACs", run: runPresets})
}

// presetEntry is one element of `presets --json`. Counts are per image.
type presetEntry struct {
	zoo.Info
	Params int64 `json:"params"`
	MACs   int64 `json:"macs"`
}

func runPresets(ctx context.Context, args []string, io stdio) error {
	fs := flag.NewFlagSet("presets", flag.ContinueOnError)
	fs.SetOutput(io.err)
	asJSON := fs.Bool("json", false, "print a JSON array instead of a table")
	fs.Usage = func() {
		fmt.Fprintln(io.err, "usage: convscope presets [--json] [NAME...]")
		fmt.Fprintln(io.err, "\nLists the classic networks convscope builds itself (all, or the named ones) with\ntheir input shape, learnable parameters and multiply-accumulates per image.\nSources and published figures: docs/presets.md.")
		fs.PrintDefaults()
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	names := fs.Args()
	if len(names) == 0 {
		names = zoo.PresetNames()
	}
	entries := make([]presetEntry, 0, len(names))
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		g, err := zoo.Preset(name, false)
		if err != nil {
			return err
		}
		info, _ := zoo.PresetInfo(g.Name)
		params, macs, err := zoo.Count(g)
		if err != nil {
			return fmt.Errorf("preset %s: %w", name, err)
		}
		entries = append(entries, presetEntry{Info: info, Params: params, MACs: macs})
	}
	if *asJSON {
		enc := json.NewEncoder(io.out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(entries)
	}
	return writePresetTable(io.out, entries)
}

// writePresetTable prints one aligned row per preset.
func writePresetTable(w io.Writer, entries []presetEntry) error {
	rows := [][]string{{"Name", "Input", "Params", "MACs", "Title"}}
	for _, e := range entries {
		in := make([]string, len(e.Input))
		for i, d := range e.Input {
			in[i] = fmt.Sprint(d)
		}
		rows = append(rows, []string{e.Name, strings.Join(in, "×"), analyze.Thousands(e.Params), analyze.Thousands(e.MACs), e.Title})
	}
	width := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-len([]rune(c)))
			switch {
			case i == 2 || i == 3: // numbers align right
				b.WriteString(pad + c)
			case i == len(r)-1:
				b.WriteString(c)
			default:
				b.WriteString(c + pad)
			}
			if i < len(r)-1 {
				b.WriteString("  ")
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}
