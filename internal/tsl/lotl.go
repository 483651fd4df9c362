package tsl

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/beevik/etree"
)

// ImportOptions say how a LOTL and the national lists it points to are
// imported.
type ImportOptions struct {
	// LOTLSigners are the certificates that may sign the LOTL: those the
	// Official Journal of the EU announced.
	LOTLSigners []*x509.Certificate
	// Countries, when not empty, are the only territories imported.
	Countries []string
	// Lists are national lists given offline (--tl), matched to the
	// LOTL's pointers by territory. A territory not among them is fetched
	// from the pointer's location with Fetch.
	Lists [][]byte
	// Fetch reads a list from a location; nil imports offline lists only.
	Fetch func(location string) ([]byte, error)
	// At, Unsafe and the limits are as in Options.
	At     time.Time
	Unsafe bool
	// State refuses lists older than a previous import kept, and records
	// the lists imported; nil keeps no state.
	State *State
}

// Outcome is what became of one list.
type Outcome struct {
	Territory string
	Location  string
	List      *List  // nil when refused
	Err       *Error // why it was refused
}

// Import reads the LOTL and then every national list it points to. A
// refused LOTL is an error; a refused national list is an Outcome with
// Err set, and the others are imported.
func Import(lotl []byte, o ImportOptions) (*List, []Outcome, error) {
	if o.At.IsZero() {
		o.At = time.Now()
	}
	top, err := Read(lotl, Options{Signers: o.LOTLSigners, At: o.At, Unsafe: o.Unsafe, MinSequence: o.State.min("LOTL")})
	if err != nil {
		return nil, nil, err
	}
	offline := map[string][]byte{}
	for _, data := range o.Lists {
		terr, err := PeekTerritory(data)
		if err != nil {
			return nil, nil, err
		}
		offline[strings.ToUpper(terr)] = data
	}
	want := map[string]bool{}
	for _, c := range o.Countries {
		want[strings.ToUpper(strings.TrimSpace(c))] = true
	}
	// One pointer per territory: the XML list (a territory also has a
	// PDF one), never the LOTL's pointer to itself.
	byTerritory := map[string]*Pointer{}
	var order []string
	for i := range top.Pointers {
		p := &top.Pointers[i]
		terr := strings.ToUpper(p.Territory)
		if terr == "" || terr == strings.ToUpper(top.Territory) || strings.HasSuffix(p.Type, "listofthelists") {
			continue
		}
		if p.MimeType != "" && !strings.Contains(p.MimeType, "xml") {
			continue
		}
		if len(want) > 0 && !want[terr] {
			continue
		}
		if byTerritory[terr] == nil {
			order = append(order, terr)
			byTerritory[terr] = p
		} else {
			byTerritory[terr].Certificates = append(byTerritory[terr].Certificates, p.Certificates...)
		}
	}
	sort.Strings(order)
	var out []Outcome
	for c := range want {
		if byTerritory[c] == nil {
			out = append(out, Outcome{Territory: c, Err: refuse(ReasonTerritory, "the LOTL has no pointer to a list of %s", c)})
		}
	}
	for t := range offline {
		if byTerritory[t] == nil && (len(want) == 0 || want[t]) {
			out = append(out, Outcome{Territory: t, Err: refuse(ReasonTerritory, "a list given for %s, which the LOTL does not point to", t)})
		}
	}
	for _, terr := range order {
		p := byTerritory[terr]
		oc := Outcome{Territory: terr, Location: p.Location}
		data, ok := offline[terr]
		if !ok {
			if o.Fetch == nil {
				oc.Err = refuse(ReasonFetch, "no list given and fetching is off")
				out = append(out, oc)
				continue
			}
			var err error
			if data, err = o.Fetch(p.Location); err != nil {
				oc.Err = refuse(ReasonFetch, "%v", err)
				out = append(out, oc)
				continue
			}
		}
		l, err := Read(data, Options{Signers: p.Certificates, At: o.At, Unsafe: o.Unsafe, Territory: p.Territory, MinSequence: o.State.min(terr)})
		if err != nil {
			oc.Err = err.(*Error)
		} else {
			oc.List = l
		}
		out = append(out, oc)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Territory < out[j].Territory })
	return top, out, nil
}

// PeekTerritory reads a list's SchemeTerritory without verifying it, to
// match an offline list to the LOTL's pointer (whose certificates then
// verify it). The same limits as Read apply.
func PeekTerritory(data []byte) (string, error) {
	if len(data) > DefaultMaxSize {
		return "", refuse(ReasonTooLarge, "%d bytes", len(data))
	}
	if err := prescan(data, DefaultMaxDepth); err != nil {
		return "", err
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(data); err != nil || doc.Root() == nil {
		return "", refuse(ReasonMalformed, "not well-formed XML")
	}
	if si := child(doc.Root(), nsTSL, "SchemeInformation"); si != nil {
		if t := text(child(si, nsTSL, "SchemeTerritory")); t != "" {
			return t, nil
		}
	}
	return "", refuse(ReasonMalformed, "no SchemeTerritory")
}

// Fetcher downloads lists over HTTPS, keeping each in a cache directory:
// a list that cannot be downloaded is read from the cache (offline runs,
// an unreachable Member State server). The list's signature is checked
// after, either way.
type Fetcher struct {
	Cache   string // directory; empty keeps nothing
	Client  *http.Client
	Offline bool // read the cache only
}

// Fetch reads one list.
func (f *Fetcher) Fetch(location string) ([]byte, error) {
	var cached string
	if f.Cache != "" {
		sum := sha256.Sum256([]byte(location))
		cached = filepath.Join(f.Cache, hex.EncodeToString(sum[:16])+".xml")
	}
	if !f.Offline {
		data, err := f.download(location)
		if err == nil {
			if cached != "" {
				if err := os.MkdirAll(f.Cache, 0o755); err == nil {
					_ = os.WriteFile(cached, data, 0o644)
				}
			}
			return data, nil
		}
		if cached == "" {
			return nil, err
		}
	}
	if cached == "" {
		return nil, errors.New("offline without a cache")
	}
	data, err := os.ReadFile(cached)
	if err != nil {
		return nil, fmt.Errorf("not downloaded and not in the cache")
	}
	return data, nil
}

func (f *Fetcher) download(location string) ([]byte, error) {
	if !strings.HasPrefix(location, "https://") {
		return nil, errors.New("only https locations are fetched")
	}
	c := f.Client
	if c == nil {
		c = &http.Client{Timeout: 60 * time.Second}
	}
	resp, err := c.Get(location)
	if err != nil {
		return nil, fmt.Errorf("download failed")
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, DefaultMaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("download failed")
	}
	if len(data) > DefaultMaxSize {
		return nil, fmt.Errorf("more than %d bytes", DefaultMaxSize)
	}
	return data, nil
}
