package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"github.com/apostille/apostille/verifier/trustservices"
	"io"
	"os"
	"strings"
	"time"

	"github.com/apostille/apostille/internal/importer"
	"github.com/apostille/apostille/internal/tsl"
)

// tlSources are trust build's flags for EU trusted lists.
type tlSources struct {
	lotl, lotlSigners, countries string
	tls                          []string
	tlSigner, at, cache, state   string
	offline, unsafe              bool
}

// importTrustedLists verifies the LOTL (or, without one, the --tl lists
// against --tl-signer) and returns the services of every list that holds.
// Each list's outcome is reported on log: imported with its sequence and
// its count of services, or refused with the reason. A refused LOTL is an
// error (a *tsl.Error); a refused national list is left out.
func importTrustedLists(src tlSources, log io.Writer) ([]trustservices.BundleService, error) {
	at := time.Now()
	if src.at != "" {
		var err error
		if at, err = parseAt(src.at); err != nil {
			return nil, fmt.Errorf("--at: %w", err)
		}
	}
	var state *tsl.State
	if src.state != "" {
		var err error
		if state, err = tsl.LoadState(src.state); err != nil {
			return nil, err
		}
	}
	var offline [][]byte
	for _, f := range src.tls {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		offline = append(offline, data)
	}
	var imported []*tsl.List
	var keys []string
	switch {
	case src.lotl != "":
		if src.lotlSigners == "" {
			return nil, errors.New("--lotl needs --lotl-signers (the certificates the Official Journal announced)")
		}
		signers, err := readCerts(src.lotlSigners)
		if err != nil {
			return nil, err
		}
		fetcher := &tsl.Fetcher{Cache: src.cache, Offline: src.offline}
		var lotl []byte
		if strings.HasPrefix(src.lotl, "https://") {
			if lotl, err = fetcher.Fetch(src.lotl); err != nil {
				return nil, &tsl.Error{Reason: tsl.ReasonFetch, Detail: "the LOTL: " + err.Error()}
			}
		} else if lotl, err = os.ReadFile(src.lotl); err != nil {
			return nil, err
		}
		var countries []string
		if src.countries != "" {
			countries = strings.Split(src.countries, ",")
		}
		o := tsl.ImportOptions{LOTLSigners: signers, Countries: countries, Lists: offline, At: at, Unsafe: src.unsafe, State: state}
		if !src.offline {
			o.Fetch = fetcher.Fetch
		} else if src.cache != "" {
			o.Fetch = fetcher.Fetch
		}
		top, outcomes, err := tsl.Import(lotl, o)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(log, "LOTL %s sequence %d issued %s: verified, %d pointers\n", top.Territory, top.Sequence, top.IssueDate.Format(time.RFC3339), len(top.Pointers))
		warn(log, "LOTL", top)
		imported, keys = append(imported, top), append(keys, "LOTL")
		for _, oc := range outcomes {
			if oc.Err != nil {
				fmt.Fprintf(log, "%s: refused (%s): %s\n", oc.Territory, oc.Err.Reason, oc.Err.Detail)
				continue
			}
			imported, keys = append(imported, oc.List), append(keys, strings.ToUpper(oc.List.Territory))
		}
	default:
		if src.tlSigner == "" {
			return nil, errors.New("--tl without --lotl needs --tl-signer")
		}
		signers, err := readCerts(src.tlSigner)
		if err != nil {
			return nil, err
		}
		for i, data := range offline {
			terr, _ := tsl.PeekTerritory(data)
			l, err := tsl.Read(data, tsl.Options{Signers: signers, At: at, Unsafe: src.unsafe, MinSequence: minSeq(state, terr)})
			if err != nil {
				var te *tsl.Error
				errors.As(err, &te)
				fmt.Fprintf(log, "%s: refused (%s): %s\n", src.tls[i], te.Reason, te.Detail)
				continue
			}
			imported, keys = append(imported, l), append(keys, strings.ToUpper(l.Territory))
		}
	}
	var services []trustservices.BundleService
	for i, l := range imported {
		if keys[i] == "LOTL" {
			continue
		}
		s := importer.TrustedListServices(l)
		fmt.Fprintf(log, "%s sequence %d issued %s: verified, %d services\n", l.Territory, l.Sequence, l.IssueDate.Format(time.RFC3339), len(s))
		warn(log, l.Territory, l)
		services = append(services, s...)
	}
	if state != nil {
		for i, l := range imported {
			state.Record(keys[i], l, time.Now())
		}
		if err := state.Save(); err != nil {
			return nil, err
		}
	}
	return services, nil
}

func warn(log io.Writer, who string, l *tsl.List) {
	for _, w := range l.Warnings {
		fmt.Fprintf(log, "%s: warning: %s\n", who, w)
	}
}

func minSeq(s *tsl.State, terr string) uint64 {
	if s == nil {
		return 0
	}
	return s.Lists[strings.ToUpper(terr)].Sequence
}

func readCerts(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	certs, err := importer.Certificates(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return certs, nil
}
