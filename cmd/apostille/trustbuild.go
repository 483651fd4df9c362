package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/apostille/apostille/verifier/trustservices"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/apostille/apostille/internal/engine"
	"github.com/apostille/apostille/internal/importer"
	"github.com/apostille/apostille/internal/trustlist"
	"github.com/apostille/apostille/internal/tsl"
	"github.com/apostille/apostille/verifier"
)

// issuerOverlay names an issuer that a source does not name (a JWKS, a
// PEM file), in --issuers.
type issuerOverlay struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	Country       string   `json:"country"`
	DocumentTypes []string `json:"document_types"`
}

// idFile splits ID=FILE.
func idFile(s string) (string, string, error) {
	id, file, ok := strings.Cut(s, "=")
	if !ok || id == "" || file == "" {
		return "", "", fmt.Errorf("%q: expected ID=FILE", s)
	}
	return id, file, nil
}

func runTrustBuild(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("trust build", stdout, stderr, "usage: apostille trust build [sources] [--out FILE]")
	var jwks, pems, iacas, dccs, policies, lists listFlag
	from := fs.String("from", "", "start from this unsigned bundle")
	fs.Var(&jwks, "jwks", "ID=FILE: an issuer's JWK Set (repeatable)")
	fs.Var(&pems, "pem", "ID=FILE: an issuer's certificates, PEM or DER: CAs become anchors, others keys (repeatable)")
	fs.Var(&iacas, "iaca", "ID=FILE: an mdoc issuer's IACA root certificates (repeatable)")
	fs.Var(&dccs, "dcc", "FILE: an EU DCC signer-certificate list; one issuer per country (repeatable)")
	fs.Var(&policies, "policy", "ID=FILE: a c2sp.org/tlog-policy for the issuer's embassy attestations (repeatable)")
	required := fs.Bool("policy-required", false, "embassy attestation is required by the --policy issuers")
	embassies := fs.String("embassies", "", "JSON [{witness,name,country}] naming the policies' witnesses")
	issuers := fs.String("issuers", "", "JSON [{id,name,country,document_types}] naming the issuers")
	fs.Var(&lists, "status-list", "FILE: a status list token to ship with the bundle (repeatable)")
	operator := fs.String("operator", "", "operator name")
	out := fs.String("out", "-", "where to write the bundle")
	var tls listFlag
	var tl tlSources
	fs.StringVar(&tl.lotl, "lotl", "", "FILE|URL: the EU List of Trusted Lists (ETSI TS 119 612); its national lists' services go into the bundle")
	fs.StringVar(&tl.lotlSigners, "lotl-signers", "", "PEM: the LOTL signing certificates announced in the Official Journal")
	fs.StringVar(&tl.countries, "country", "", "CC,CC,...: import only these territories' lists (default: all the LOTL points to)")
	fs.Var(&tls, "tl", "FILE: a national trusted list given offline, matched to the LOTL's pointer by territory, or checked with --tl-signer (repeatable)")
	fs.StringVar(&tl.tlSigner, "tl-signer", "", "PEM: the certificates that sign the --tl lists, for lists imported without a LOTL")
	fs.StringVar(&tl.at, "at", "", "judge the lists' dates and signers at this time (a date or RFC 3339), for archived snapshots; default now")
	fs.StringVar(&tl.cache, "cache", "", "DIR: keep downloaded lists here; a list that cannot be downloaded is read from it")
	fs.BoolVar(&tl.offline, "offline", false, "fetch nothing: national lists come from --tl and --cache only")
	fs.StringVar(&tl.state, "tl-state", "", "FILE: the sequence numbers of the lists imported before; an older list is refused (sequence_rollback)")
	fs.BoolVar(&tl.unsafe, "unsafe-accept-expired", false, "UNSAFE: import a list whose NextUpdate has passed, and report it")
	if code, ok := fs.parse(args, func() string { return fs.operands(0, "") }); !ok {
		return code
	}
	tl.tls = tls
	b, err := buildBundle(buildSources{from: *from, jwks: jwks, pems: pems, iacas: iacas, dccs: dccs, policies: policies,
		required: *required, embassies: *embassies, issuers: *issuers, lists: lists, operator: *operator})
	if err != nil {
		return trustFail(stderr, "build", err)
	}
	var services []trustservices.BundleService
	if *from != "" {
		if services, err = trustlist.ReadServices(*from); err != nil {
			return trustFail(stderr, "build", err)
		}
	}
	if tl.lotl != "" || len(tl.tls) > 0 {
		imported, err := importTrustedLists(tl, stderr)
		if err != nil {
			var te *tsl.Error
			if errors.As(err, &te) {
				fmt.Fprintf(stderr, "apostille trust build: refused (%s): %s\n", te.Reason, te.Detail)
				return exitInvalid
			}
			return trustFail(stderr, "build", err)
		}
		services = append(services, imported...)
	}
	data, err := json.MarshalIndent(trustlist.Bundle{Bundle: *b, Services: services}, "", "  ")
	if err != nil {
		return trustFail(stderr, "build", err)
	}
	if _, err := verifier.ParseTrust("bundle", data); err != nil {
		return trustFail(stderr, "build", err)
	}
	if _, err := trustservices.ParseServices(data); err != nil {
		return trustFail(stderr, "build", err)
	}
	if err := writeOut(*out, append(data, '\n'), stdout); err != nil {
		return trustFail(stderr, "build", err)
	}
	fmt.Fprintf(stderr, "bundle with %d issuers, %d embassies, %d status lists, %d trust services\n", len(b.Issuers), len(b.Embassies), len(b.StatusLists), len(services))
	return exitOK
}

type buildSources struct {
	from                                     string
	jwks, pems, iacas, dccs, policies, lists []string
	required                                 bool
	embassies, issuers, operator             string
}

func buildBundle(src buildSources) (*verifier.Bundle, error) {
	b := &verifier.Bundle{TrustBundle: verifier.TrustBundleVersion}
	if src.from != "" {
		var err error
		if b, err = readBundle(src.from); err != nil {
			return nil, err
		}
	}
	if src.operator != "" {
		b.Operator = src.operator
	}
	overlay := map[string]issuerOverlay{}
	if src.issuers != "" {
		var list []issuerOverlay
		if err := readJSONFile(src.issuers, &list); err != nil {
			return nil, err
		}
		for _, o := range list {
			overlay[o.ID] = o
		}
	}
	add := func(is verifier.BundleIssuer) {
		if o, ok := overlay[is.ID]; ok {
			if o.Name != "" {
				is.Name = o.Name
			}
			if o.Country != "" {
				is.Country = o.Country
			}
			if len(o.DocumentTypes) > 0 {
				is.DocumentTypes = o.DocumentTypes
			}
		}
		b.Issuers = append(b.Issuers, is)
	}
	type conv func(id string, data []byte) (verifier.BundleIssuer, error)
	for _, s := range []struct {
		list []string
		conv conv
	}{
		{src.jwks, func(id string, d []byte) (verifier.BundleIssuer, error) { return importer.JWKS(id, "", d) }},
		{src.pems, func(id string, d []byte) (verifier.BundleIssuer, error) { return importer.PEM(id, "", d) }},
		{src.iacas, func(id string, d []byte) (verifier.BundleIssuer, error) {
			return importer.IACA(id, "", d, overlay[id].DocumentTypes)
		}},
	} {
		for _, arg := range s.list {
			id, file, err := idFile(arg)
			if err != nil {
				return nil, err
			}
			data, err := os.ReadFile(file)
			if err != nil {
				return nil, err
			}
			is, err := s.conv(id, data)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
			add(is)
		}
	}
	for _, file := range src.dccs {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		list, err := importer.DCCSignerList(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		for _, is := range list {
			add(is)
		}
	}
	var info []importer.EmbassyInfo
	if src.embassies != "" {
		if err := readJSONFile(src.embassies, &info); err != nil {
			return nil, err
		}
	}
	for _, arg := range src.policies {
		id, file, err := idFile(arg)
		if err != nil {
			return nil, err
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		att, embs, err := importer.TLogPolicy(data, src.required, info)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		found := false
		for i := range b.Issuers {
			if b.Issuers[i].ID == id {
				b.Issuers[i].Attestation, found = att, true
			}
		}
		if !found {
			return nil, fmt.Errorf("--policy %s: no issuer %q in the bundle", file, id)
		}
		b.Embassies = mergeEmbassies(b.Embassies, embs)
	}
	for _, file := range src.lists {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		if _, err := verifier.ReadStatusListInfo(data); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		b.StatusLists = append(b.StatusLists, strings.TrimSpace(string(data)))
	}
	return b, nil
}

// mergeEmbassies adds embassies whose key is not listed yet: one witness
// may serve the policies of several issuers.
func mergeEmbassies(have, add []verifier.BundleEmbassy) []verifier.BundleEmbassy {
	for _, e := range add {
		dup := false
		for _, h := range have {
			dup = dup || h.Key == e.Key
		}
		if !dup {
			have = append(have, e)
		}
	}
	return have
}

func readJSONFile(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func runTrustInspect(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("trust inspect", stdout, stderr, "usage: apostille trust inspect [--trust-key KEY] BUNDLE")
	var keys listFlag
	fs.Var(&keys, "trust-key", "pinned operator key to check a signed bundle with (repeatable)")
	if code, ok := fs.parse(args, func() string { return fs.operands(1, "bundle") }); !ok {
		return code
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return trustFail(stderr, "inspect", err)
	}
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	payload := data
	if verifier.IsSignedBundle(data) {
		pinned, _, err := engine.ReadOperatorKeys(keys)
		if err != nil {
			return trustFail(stderr, "inspect", err)
		}
		if payload, err = unverifiedPayload(data); err != nil {
			return trustFail(stderr, "inspect", err)
		}
		switch t, err := verifier.OpenBundle(data, pinned); {
		case len(pinned) == 0:
			fmt.Fprintln(w, "signed bundle — signature NOT checked (give --trust-key)")
		case err != nil:
			fmt.Fprintf(w, "signed bundle — REFUSED: %v\n", err)
		default:
			fmt.Fprintf(w, "signed bundle — signature verified with pinned key %s\n", t.Info.OperatorKey)
		}
	} else {
		fmt.Fprintln(w, "unsigned bundle")
	}
	var b trustlist.Bundle
	if err := json.Unmarshal(payload, &b); err != nil || b.TrustBundle == "" {
		return trustFail(stderr, "inspect", fmt.Errorf("%s is not a trust bundle", fs.Arg(0)))
	}
	writeBundle(w, &b.Bundle)
	writeServices(w, payload, time.Now())
	return exitOK
}

// writeBundle describes a bundle for people.
func writeBundle(w *bufio.Writer, b *verifier.Bundle) {
	fmt.Fprintf(w, "operator:    %s\nsequence:    %d\nissued:      %s\nnext update: %s\n", b.Operator, b.Sequence, b.IssuedAt, b.NextUpdate)
	fmt.Fprintf(w, "issuers:     %d\n", len(b.Issuers))
	for _, is := range b.Issuers {
		fmt.Fprintf(w, "  %s — %s", is.ID, is.Name)
		if is.Country != "" {
			fmt.Fprintf(w, " (%s)", is.Country)
		}
		w.WriteByte('\n')
		for _, k := range is.Keys {
			fmt.Fprintf(w, "    key %s %s", k.JWK.Kid, k.JWK.Alg)
			if k.NotBefore != "" || k.NotAfter != "" {
				fmt.Fprintf(w, ", %s … %s", orDash(k.NotBefore), orDash(k.NotAfter))
			}
			if len(k.JWK.X5c) > 0 {
				w.WriteString(", with certificate")
			}
			w.WriteByte('\n')
		}
		for _, a := range is.Anchors {
			if certs, err := importer.Certificates(mustB64(a)); err == nil {
				c := certs[0]
				fmt.Fprintf(w, "    anchor %s, until %s\n", c.Subject, c.NotAfter.UTC().Format(time.RFC3339))
			}
		}
		if len(is.DocumentTypes) > 0 {
			fmt.Fprintf(w, "    documents: %s\n", strings.Join(is.DocumentTypes, ", "))
		}
		if a := is.Attestation; a != nil {
			fmt.Fprintf(w, "    embassy attestation: required=%v, policy of %d lines\n", a.Required, strings.Count(strings.TrimSpace(a.Policy), "\n")+1)
		}
	}
	if len(b.Embassies) > 0 {
		fmt.Fprintf(w, "embassies:   %d\n", len(b.Embassies))
		for _, e := range b.Embassies {
			fmt.Fprintf(w, "  %s (%s) %s\n", e.Name, orDash(e.Country), e.Key)
		}
	}
	if len(b.StatusLists) > 0 {
		fmt.Fprintf(w, "status lists: %d\n", len(b.StatusLists))
		for _, l := range b.StatusLists {
			if info, err := verifier.ReadStatusListInfo([]byte(l)); err == nil {
				fmt.Fprintf(w, "  %s issued %s", info.URI, info.IssuedAt.Format(time.RFC3339))
				if !info.Expires.IsZero() {
					fmt.Fprintf(w, ", expires %s", info.Expires.Format(time.RFC3339))
				}
				w.WriteByte('\n')
			}
		}
	}
}

// writeServices lists the trust services by country and type, each with
// its status now (the current entry, or the one in force if the history
// holds a later change).
func writeServices(w *bufio.Writer, bundle []byte, now time.Time) {
	services, err := trustservices.ParseServices(bundle)
	if err != nil {
		fmt.Fprintf(w, "services:    unreadable: %v\n", err)
		return
	}
	if len(services) == 0 {
		return
	}
	sorted := append([]*trustservices.Service(nil), services...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Country != sorted[j].Country {
			return sorted[i].Country < sorted[j].Country
		}
		return sorted[i].Type < sorted[j].Type
	})
	fmt.Fprintf(w, "services:    %d\n", len(sorted))
	country, typ := "", ""
	for _, s := range sorted {
		if s.Country != country {
			country, typ = s.Country, ""
			fmt.Fprintf(w, "  %s\n", orDash(country))
		}
		if s.Type != typ {
			typ = s.Type
			fmt.Fprintf(w, "    %s\n", typ)
		}
		status := "not yet in force"
		if st, ok := s.StatusAt(now); ok {
			status = st.Status + " since " + st.Start.UTC().Format(time.DateOnly)
		}
		fmt.Fprintf(w, "      %s — %s: %s, %d certificates\n", s.Name, s.Provider, status, len(s.Certificates))
	}
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func mustB64(s string) []byte {
	b, _ := base64Std(s)
	return b
}
