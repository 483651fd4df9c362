// Command apostille verifies signed government documents and data-embassy
// attestations, and runs the tools around them.
//
//	apostille verify [flags] INPUT...   verify documents (bulk)
//	apostille merge SHARD-OUTPUT...     join the outputs of verify --shard K/N
//	apostille trust SUBCOMMAND          signed trust bundles
//	apostille demo DIR                  build the demo world
//	apostille keys generate ...         signed-note keys for logs, embassies, operators
//	apostille log append ...            an issuer's document log and .tlog-proof files
//	apostille embassy ...               a data embassy (mirror, cosigner, witness endpoint)
//	apostille serve [flags]             the citizen's page and the verification API
//
// Run "apostille COMMAND --help" for a command's flags, "apostille --version"
// for the version and the SHA-256 of the verification module it carries.
package main

import (
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
	{"merge", "join the outputs of verify --jsonl --shard K/N into one file, in input order", runMerge},
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
	if len(args) == 0 {
		fmt.Fprintln(stderr, "apostille: no command given")
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		if len(args) > 1 && args[0] == "help" {
			// apostille help verify = apostille verify --help
			return run([]string{args[1], "--help"}, stdout, stderr)
		}
		usage(stdout)
		return exitOK
	case "-version", "--version", "version":
		printVersion(stdout)
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "apostille: unknown command %q\n", args[0])
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
	fmt.Fprintln(w)
	fmt.Fprintln(w, `"apostille COMMAND --help" lists a command's flags; "apostille --version" prints the version and the module's SHA-256.`)
}
