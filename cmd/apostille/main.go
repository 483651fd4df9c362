// Command apostille verifies signed government documents and data-embassy
// attestations, and runs the tools around them.
//
//	apostille verify [flags] INPUT...   verify documents (bulk)
//	apostille trust SUBCOMMAND          signed trust bundles
//	apostille demo DIR                  build the demo world
//	apostille keys generate ...         signed-note keys for logs, embassies, operators
//	apostille log append ...            an issuer's document log and .tlog-proof files
//	apostille embassy ...               a data embassy (mirror, cosigner, witness endpoint)
//	apostille serve [flags]             the citizen's page and the verification API
//
// Run "apostille COMMAND -h" for a command's flags.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

// Exit codes shared by every command.
const (
	exitOK      = 0 // everything verified valid / the command succeeded
	exitInvalid = 1 // at least one input was not valid
	exitUsage   = 2 // usage or I/O error
)

type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

var commands = []command{
	{"verify", "verify documents: files, directories, - (stdin) or JSON Lines", runVerify},
	{"trust", "trust bundles: keygen, build, sign, inspect, verify, update", runTrust},
	{"demo", "build the demo world (issuers, trust bundle, documents) into a directory", runDemo},
	{"keys", "generate and print signed-note keys for logs, embassies and operators", runKeys},
	{"log", "an issuer's document log: append documents, publish checkpoints, write .tlog-proof files", runLog},
	{"embassy", "a data embassy: mirror logs, cosign, serve tlog-witness add-checkpoint", runEmbassy},
	{"serve", "serve the citizen's page and the verification API (HTTP)", runServe},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "apostille: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: apostille COMMAND [flags] [args]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
}

// newFlagSet makes a subcommand's flags: parse errors and the usage go to
// stderr, the usage being the synopsis lines, then the flags.
func newFlagSet(name string, stderr io.Writer, usage ...string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		for _, l := range usage {
			fmt.Fprintln(stderr, l)
		}
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses a subcommand's arguments. false is a usage error: the
// flags did not parse, or wrong (when given) says the arguments left are
// not what the command takes, and the usage was printed.
func parseFlags(fs *flag.FlagSet, args []string, wrong func() bool) bool {
	if fs.Parse(args) != nil {
		return false
	}
	if wrong != nil && wrong() {
		fs.Usage()
		return false
	}
	return true
}
