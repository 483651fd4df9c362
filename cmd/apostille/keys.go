package main

import (
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/apostille/apostille/internal/tlog"
)

// runKeys generates and prints signed-note keys (c2sp.org/signed-note
// vkeys) for logs, embassies and trust-list operators.
func runKeys(args []string, stdout, stderr io.Writer) int {
	usage := func() {
		fmt.Fprintln(stderr, "usage: apostille keys generate --kind log|embassy|operator --name NAME --out FILE")
		fmt.Fprintln(stderr, "       apostille keys vkey --kind log|embassy|operator FILE")
		fmt.Fprintln(stderr, "generate writes the private key to FILE (mode 0600) and prints the verifier key (vkey);")
		fmt.Fprintln(stderr, "a log's NAME is its origin, e.g. log.example.ee/documents.")
	}
	if len(args) == 0 {
		usage()
		return exitUsage
	}
	fs := flag.NewFlagSet("keys "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	kindName := fs.String("kind", "", "log, embassy or operator")
	name := fs.String("name", "", "key name (generate)")
	out := fs.String("out", "", "private key file to create (generate)")
	fs.Usage = usage
	if err := fs.Parse(args[1:]); err != nil {
		return exitUsage
	}
	kind, err := tlog.ParseKind(*kindName)
	if err != nil {
		fmt.Fprintln(stderr, "apostille keys:", err)
		return exitUsage
	}
	switch args[0] {
	case "generate":
		if *name == "" || *out == "" || fs.NArg() != 0 {
			usage()
			return exitUsage
		}
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
		if fs.NArg() != 1 {
			usage()
			return exitUsage
		}
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
	default:
		usage()
		return exitUsage
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
