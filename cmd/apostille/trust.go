package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/apostille/apostille/internal/atomicfile"
	"github.com/apostille/apostille/internal/engine"
	"github.com/apostille/apostille/internal/trustlist"
	"github.com/apostille/apostille/verifier"
)

// trustCommands are the subcommands of `apostille trust`.
var trustCommands = []command{
	{"keygen", "make a trust-list operator key: PREFIX.key (private) and PREFIX.pub.jwk (to pin)", runTrustKeygen},
	{"build", "build an unsigned bundle from JWKS, PEM/DER, the EU DCC list, IACA certificates, tlog-policy files", runTrustBuild},
	{"sign", "sign a bundle with the operator key (sets issued_at, next_update, sequence)", runTrustSign},
	{"inspect", "show a bundle, signed or not, in words", runTrustInspect},
	{"verify", "verify a signed bundle against the pinned key, the rollback state and the time", runTrustVerify},
	{"update", "fetch a signed bundle over HTTPS, keep the last good one, refuse bad or older ones", runTrustUpdate},
}

func runTrust(args []string, stdout, stderr io.Writer) int {
	usage := func(w io.Writer) {
		fmt.Fprintln(w, "usage: apostille trust SUBCOMMAND [flags] [args]")
		for _, c := range trustCommands {
			fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
		}
	}
	if len(args) == 0 {
		fmt.Fprintln(stderr, "apostille trust: no subcommand given")
		usage(stderr)
		return exitUsage
	}
	if isHelp(args[0]) {
		usage(stdout)
		return exitOK
	}
	for _, c := range trustCommands {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "apostille trust: unknown subcommand %q\n", args[0])
	usage(stderr)
	return exitUsage
}

// trustFail prints why and returns the exit code: 1 for a refused bundle,
// 2 for anything else.
func trustFail(stderr io.Writer, cmd string, err error) int {
	if reason, ok := trustlist.IsRefusal(err); ok {
		fmt.Fprintf(stderr, "apostille trust %s: refused (%s): %v\n", cmd, reason, err)
		return exitInvalid
	}
	fmt.Fprintf(stderr, "apostille trust %s: %v\n", cmd, err)
	return exitUsage
}

func runTrustKeygen(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("trust keygen", stdout, stderr, "usage: apostille trust keygen [--alg EdDSA|ES256] [--out PREFIX]")
	alg := fs.String("alg", "EdDSA", "EdDSA (Ed25519) or ES256 (P-256)")
	out := fs.String("out", "operator", "PREFIX of the key files")
	if code, ok := fs.parse(args, func() string { return fs.operands(0, "") }); !ok {
		return code
	}
	k, err := trustlist.GenerateKey(*alg, rand.Reader)
	if err != nil {
		return trustFail(stderr, "keygen", err)
	}
	priv, err := k.MarshalPrivate()
	if err != nil {
		return trustFail(stderr, "keygen", err)
	}
	pub, err := k.PublicJWK()
	if err != nil {
		return trustFail(stderr, "keygen", err)
	}
	if _, err := os.Stat(*out + ".key"); err == nil {
		return trustFail(stderr, "keygen", fmt.Errorf("%s.key exists; not overwriting an operator key", *out))
	}
	if err := os.WriteFile(*out+".key", priv, 0o600); err != nil {
		return trustFail(stderr, "keygen", err)
	}
	if err := os.WriteFile(*out+".pub.jwk", pub, 0o644); err != nil {
		return trustFail(stderr, "keygen", err)
	}
	fmt.Fprintf(stdout, "operator key %s (%s): private %s.key, pin %s.pub.jwk\n", k.Kid, k.Alg, *out, *out)
	return exitOK
}

func runTrustSign(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("trust sign", stdout, stderr, "usage: apostille trust sign --key FILE [flags] BUNDLE.json")
	keyPath := fs.String("key", "", "operator private key (PKCS#8 PEM, from trust keygen)")
	seq := fs.Uint64("sequence", 0, "sequence number (default: the bundle's); must grow with every bundle")
	operator := fs.String("operator", "", "operator name (default: the bundle's)")
	validFor := fs.Duration("valid-for", 7*24*time.Hour, "time from issued_at to next_update")
	at := fs.String("at", "", "issued_at, RFC 3339 (default: now)")
	out := fs.String("out", "-", "where to write the signed bundle")
	if code, ok := fs.parse(args, func() string {
		if *keyPath == "" {
			return "--key is required"
		}
		return fs.operands(1, "bundle")
	}); !ok {
		return code
	}
	kb, err := os.ReadFile(*keyPath)
	if err != nil {
		return trustFail(stderr, "sign", err)
	}
	k, err := trustlist.ParsePrivate(kb)
	if err != nil {
		return trustFail(stderr, "sign", err)
	}
	b, err := readBundle(fs.Arg(0))
	if err != nil {
		return trustFail(stderr, "sign", err)
	}
	issued, err := timeFlag(*at)
	if err != nil {
		return trustFail(stderr, "sign", err)
	}
	if *seq != 0 {
		b.Sequence = *seq
	}
	if *operator != "" {
		b.Operator = *operator
	}
	b.IssuedAt = issued.Format(time.RFC3339)
	b.NextUpdate = issued.Add(*validFor).Format(time.RFC3339)
	services, err := trustlist.ReadServices(fs.Arg(0))
	if err != nil {
		return trustFail(stderr, "sign", err)
	}
	signed, err := trustlist.SignWithServices(b, services, k, nil)
	if err != nil {
		return trustFail(stderr, "sign", err)
	}
	if err := writeOut(*out, append(signed, '\n'), stdout); err != nil {
		return trustFail(stderr, "sign", err)
	}
	fmt.Fprintf(stderr, "signed %s sequence %d with %s, next update %s\n", b.Operator, b.Sequence, k.Kid, b.NextUpdate)
	return exitOK
}

func timeFlag(s string) (time.Time, error) {
	if s == "" {
		return time.Now().UTC().Truncate(time.Second), nil
	}
	return time.Parse(time.RFC3339, s)
}

func readBundle(path string) (*verifier.Bundle, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if _, err := verifier.ParseTrust(path, data); err != nil {
		return nil, err
	}
	var b verifier.Bundle
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, err
	}
	if b.TrustBundle != verifier.TrustBundleVersion {
		return nil, fmt.Errorf("%s is not a trust bundle v1", path)
	}
	return &b, nil
}

func writeOut(path string, data []byte, stdout io.Writer) error {
	if path == "-" || path == "" {
		_, err := stdout.Write(data)
		return err
	}
	return atomicfile.Write(path, data, 0o644)
}

func runTrustVerify(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("trust verify", stdout, stderr,
		"usage: apostille trust verify --trust-key KEY [flags] BUNDLE.jws",
	)
	var keys listFlag
	fs.Var(&keys, "trust-key", "pinned operator key (public JWK; repeatable)")
	state := fs.String("trust-state", defaultStatePath(), "rollback state file; \"none\" for none")
	at := fs.String("at", "", "time at which the bundle must be fresh, RFC 3339 (default: now)")
	if code, ok := fs.parse(args, func() string {
		if len(keys) == 0 {
			return "--trust-key is required"
		}
		return fs.operands(1, "bundle")
	}); !ok {
		return code
	}
	pinned, _, err := engine.ReadOperatorKeys(keys)
	if err != nil {
		return trustFail(stderr, "verify", err)
	}
	st, err := engine.OpenState(*state)
	if err != nil {
		return trustFail(stderr, "verify", err)
	}
	when, err := timeFlag(*at)
	if err != nil {
		return trustFail(stderr, "verify", err)
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return trustFail(stderr, "verify", err)
	}
	t, err := verifier.OpenBundle(data, pinned)
	if err == nil {
		err = st.Check(t, trustlist.Digest(data))
	}
	if err != nil {
		return trustFail(stderr, "verify", err)
	}
	i := t.Info
	fmt.Fprintf(stdout, "signed bundle of %s, sequence %d, key %s: signature verified\n", i.Operator, i.Sequence, i.OperatorKey)
	if when.After(t.NextUpdate) {
		fmt.Fprintf(stdout, "STALE: next update was due %s (%s)\n", i.NextUpdate, verifier.TrustStale)
		return exitInvalid
	}
	fmt.Fprintf(stdout, "fresh until %s\n", i.NextUpdate)
	return exitOK
}

func runTrustUpdate(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("trust update", stdout, stderr,
		"usage: apostille trust update --url https://… --trust-key KEY --out FILE [flags]",
	)
	var keys listFlag
	fs.Var(&keys, "trust-key", "pinned operator key (public JWK; repeatable)")
	url := fs.String("url", "", "https URL of the signed bundle")
	out := fs.String("out", "", "where the last good bundle is kept")
	state := fs.String("trust-state", defaultStatePath(), "rollback state file; \"none\" for none")
	ca := fs.String("ca", "", "PEM certificates to trust for HTTPS, besides the system's")
	if code, ok := fs.parse(args, func() string {
		switch {
		case *url == "":
			return "--url is required"
		case *out == "":
			return "--out is required"
		case len(keys) == 0:
			return "--trust-key is required"
		}
		return fs.operands(0, "")
	}); !ok {
		return code
	}
	if !strings.HasPrefix(*url, "https://") {
		return trustFail(stderr, "update", fmt.Errorf("%s: bundles are fetched over https only", *url))
	}
	pinned, _, err := engine.ReadOperatorKeys(keys)
	if err != nil {
		return trustFail(stderr, "update", err)
	}
	st, err := engine.OpenState(*state)
	if err != nil {
		return trustFail(stderr, "update", err)
	}
	client, err := httpClient(*ca)
	if err != nil {
		return trustFail(stderr, "update", err)
	}
	u := &trustlist.Updater{URL: *url, Path: *out, Keys: pinned, State: st, Client: client}
	res, err := u.Update(context.Background())
	if err != nil {
		code := trustFail(stderr, "update", err)
		if kept, kerr := os.ReadFile(*out); kerr == nil {
			if t, terr := verifier.OpenBundle(kept, pinned); terr == nil {
				fmt.Fprintf(stderr, "kept %s: %s sequence %d\n", *out, t.Info.Operator, t.Info.Sequence)
			}
		}
		return code
	}
	i := res.Trust.Info
	if res.NotModified {
		fmt.Fprintf(stdout, "not modified: %s sequence %d\n", i.Operator, i.Sequence)
	} else {
		fmt.Fprintf(stdout, "updated %s: %s sequence %d, next update %s\n", *out, i.Operator, i.Sequence, i.NextUpdate)
	}
	return exitOK
}

// unverifiedPayload decodes a signed bundle's content without checking its
// signature, for inspect without a pinned key.
func unverifiedPayload(signed []byte) ([]byte, error) {
	parts := strings.Split(strings.TrimSpace(string(signed)), ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("not a compact JWS")
	}
	return base64.RawURLEncoding.DecodeString(parts[1])
}

func base64Std(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }
