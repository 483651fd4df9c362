package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// flagSet is a command's flags and its usage. Every command parses the same
// way: flags may come before, between or after the operands (up to "--");
// --help prints the usage on standard output and exits 0; a usage error
// prints its one-line reason first, then the synopsis, and exits 2.
type flagSet struct {
	*flag.FlagSet
	name   string   // "verify", "trust sign"
	usage  []string // the synopsis, then lines that explain
	stdout io.Writer
	stderr io.Writer
}

func newFlagSet(name string, stdout, stderr io.Writer, usage ...string) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	// The flag package's own messages are replaced by usageError's.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	f := &flagSet{FlagSet: fs, name: name, usage: usage, stdout: stdout, stderr: stderr}
	if newFlagSetHook != nil {
		newFlagSetHook(f)
	}
	return f
}

// newFlagSetHook, when set (by a test), sees every flag set made.
var newFlagSetHook func(*flagSet)

// parse parses args. wrong, when given, says what is wrong with the
// operands left ("" when nothing). It returns the exit code and false when
// the command must not run: 0 after --help, 2 after a usage error.
func (f *flagSet) parse(args []string, wrong func() string) (int, bool) {
	operands, err := parseAnywhere(f.FlagSet, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		f.help()
		return exitOK, false
	case err != nil:
		return f.usageError("%v", err), false
	}
	// Parse once more with the operands alone, so that Args and NArg
	// report them.
	f.FlagSet.Parse(append([]string{"--"}, operands...))
	if wrong != nil {
		if why := wrong(); why != "" {
			return f.usageError("%s", why), false
		}
	}
	return exitOK, true
}

// parseAnywhere parses flags wherever they are among the operands: a
// script that writes `verify doc.jwt --format jsonl` means the flag. "--"
// ends the flags; what follows is operands, "-" included.
func parseAnywhere(fs *flag.FlagSet, args []string) ([]string, error) {
	var operands []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(operands, rest...), nil
		}
		if len(rest) == 0 {
			return operands, nil
		}
		operands = append(operands, rest[0])
		args = rest[1:]
	}
}

// help prints the usage and every flag on standard output.
func (f *flagSet) help() {
	for _, l := range f.usage {
		fmt.Fprintln(f.stdout, l)
	}
	f.SetOutput(f.stdout)
	fmt.Fprintln(f.stdout, "\nflags (before or after the operands):")
	f.PrintDefaults()
	f.SetOutput(io.Discard)
}

// usageError says what is wrong in one line, then the synopsis and where
// the flags are explained, on standard error, and returns exit status 2.
func (f *flagSet) usageError(format string, a ...any) int {
	fmt.Fprintf(f.stderr, "apostille %s: %s\n", f.name, fmt.Sprintf(format, a...))
	if len(f.usage) > 0 {
		fmt.Fprintln(f.stderr, f.usage[0])
	}
	fmt.Fprintf(f.stderr, "Run \"apostille %s --help\" for every flag.\n", f.name)
	return exitUsage
}

// operands says what is wrong when the command takes n operands (-1: one
// or more) and got others; what names them for the message.
func (f *flagSet) operands(n int, what string) string {
	got := f.NArg()
	switch {
	case n < 0 && got == 0:
		return "no " + what + " given"
	case n < 0, got == n:
		return ""
	case got < n:
		return fmt.Sprintf("%s missing", what)
	case n == 0:
		return fmt.Sprintf("unexpected argument %q (this command takes flags only)", f.Arg(0))
	}
	return fmt.Sprintf("expected %d %s, got %d: %s", n, what, got, strings.Join(f.Args(), " "))
}

// isHelp says whether a command group's first argument asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}
