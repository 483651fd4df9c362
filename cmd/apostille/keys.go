package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/apostille/apostille/internal/tlog"
)

// runKeys generates and prints signed-note keys (c2sp.org/signed-note
// vkeys) for logs, embassies and trust-list operators.
func runKeys(args []string, stdout, stderr io.Writer) int {
	usage := []string{
		"usage: apostille keys generate --kind log|embassy|operator --name NAME --out FILE",
		"       apostille keys vkey --kind log|embassy|operator FILE",
		"generate writes the private key to FILE (mode 0600) and prints the verifier key (vkey);",
		"a log's NAME is its origin, e.g. log.example.ee/documents.",
	}
	sub := "SUBCOMMAND"
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	fs := newFlagSet("keys "+sub, stdout, stderr, usage...)
	kindName := fs.String("kind", "", "log, embassy or operator")
	name := fs.String("name", "", "key name (generate)")
	out := fs.String("out", "", "private key file to create (generate)")
	switch {
	case isHelp(sub):
		fs.help()
		return exitOK
	case sub != "generate" && sub != "vkey":
		fs.name = "keys"
		return fs.usageError("want the subcommand generate or vkey, got %q", sub)
	}
	if code, ok := fs.parse(args, func() string {
		switch {
		case *kindName == "":
			return "--kind is required"
		case sub == "vkey":
			return fs.operands(1, "key file")
		case *name == "":
			return "--name is required"
		case *out == "":
			return "--out is required"
		}
		return fs.operands(0, "")
	}); !ok {
		return code
	}
	kind, err := tlog.ParseKind(*kindName)
	if err != nil {
		fmt.Fprintln(stderr, "apostille keys:", err)
		return exitUsage
	}
	switch sub {
	case "generate":
		skey, vkey, err := tlog.GenerateKey(rand.Reader, kind, *name)
		if err == nil {
			err = writeNew(*out, []byte(skey+"\n"))
		}
		if err != nil {
			fmt.Fprintln(stderr, "apostille keys:", err)
			return exitUsage
		}
		fmt.Fprintln(stdout, vkey)
	case "vkey":
		skey, err := os.ReadFile(fs.Arg(0))
		if err != nil {
			fmt.Fprintln(stderr, "apostille keys:", err)
			return exitUsage
		}
		vkey, err := tlog.VKey(string(skey), kind)
		if err != nil {
			fmt.Fprintln(stderr, "apostille keys:", err)
			return exitUsage
		}
		fmt.Fprintln(stdout, vkey)
	}
	return exitOK
}

// writeNew creates a private file, never overwriting a key.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s exists; not overwriting a key", path)
		}
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// readKey reads a private key file.
func readKey(path string) (string, error) {
	if path == "" {
		return "", errors.New("--key is required")
	}
	b, err := os.ReadFile(path)
	return string(b), err
}
