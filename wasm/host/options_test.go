package host

import (
	"context"
	"reflect"
	"sort"
	"testing"

	"github.com/apostille/apostille/internal/corpus"
	"github.com/apostille/apostille/internal/wasmbuild"
	"github.com/apostille/apostille/verifier"
)

// TestOptionsDifferential sends every member of verifier.Options across
// the module boundary (wasm/abi) on documents where it decides something:
// the module, with host crypto and without, must give the native
// verifier's report. Every member must be in some case where leaving it
// out changes the report, so that a member lost on the way is seen.
// wasm/js/test/options.test.mjs holds the JS loader to the same cases.
func TestOptionsDifferential(t *testing.T) {
	mod := wasmbuild.ForTest(t)
	root, err := wasmbuild.Root()
	if err != nil {
		t.Fatal(err)
	}
	sets, err := corpus.OptionSets(root, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	decided := map[string]bool{} // members that changed a report
	for _, set := range sets {
		trust, err := set.NativeTrust()
		if err != nil {
			t.Fatalf("%s: %v", set.Name, err)
		}
		var sources []TrustSource
		for _, s := range set.Trust {
			sources = append(sources, TrustSource{s.Name, s.Data})
		}
		var engines []*Engine
		for _, disable := range []bool{false, true} {
			e, err := New(ctx, Config{Module: mod, Trust: sources, OperatorKeys: set.OperatorKeys, Instances: 1, DisableHostCrypto: disable, CacheDir: cacheDir(t)})
			if err != nil {
				t.Fatalf("%s: %v", set.Name, err)
			}
			defer e.Close(ctx)
			engines = append(engines, e)
		}
		for _, c := range set.Cases {
			o := c.Options
			o.Trust = trust
			want := verifier.Verify(c.Doc, o).AppendJSON(nil)
			for i, e := range engines {
				if got := e.Verify(ctx, c.Doc, c.Options); string(got) != string(want) {
					t.Errorf("%s/%s, module (host crypto %v):\n got %s\nwant %s", set.Name, c.Name, i == 0, got, want)
				}
			}
			for _, m := range setMembers(c.Options) {
				o := without(c.Options, m)
				o.Trust = trust
				if string(verifier.Verify(c.Doc, o).AppendJSON(nil)) != string(want) {
					decided[m] = true
				}
			}
		}
	}
	var missing []string
	for _, m := range optionMembers() {
		if !decided[m] {
			missing = append(missing, m)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("no case where these options decide anything (add one to internal/corpus/options.go): %v", missing)
	}
}

// optionMembers names the members of verifier.Options a host hands over
// with a document, Holder's one by one: all but Trust (loaded once per
// instance), Crypto and Hash (the host's imports).
func optionMembers() []string {
	var out []string
	var walk func(prefix string, ty reflect.Type)
	walk = func(prefix string, ty reflect.Type) {
		for i := range ty.NumField() {
			f := ty.Field(i)
			switch {
			case f.Name == "Trust" || f.Name == "Crypto" || f.Name == "Hash":
			case f.Type.Kind() == reflect.Struct && f.Type.PkgPath() == ty.PkgPath():
				walk(prefix+f.Name+".", f.Type)
			default:
				out = append(out, prefix+f.Name)
			}
		}
	}
	walk("", reflect.TypeFor[verifier.Options]())
	return out
}

// field finds a member of o by its dotted name.
func field(o *verifier.Options, name string) reflect.Value {
	v := reflect.ValueOf(o).Elem()
	for _, part := range splitDots(name) {
		v = v.FieldByName(part)
	}
	return v
}

func splitDots(s string) []string {
	var out []string
	start := 0
	for i := range len(s) {
		if s[i] == '.' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// setMembers names the members o sets.
func setMembers(o verifier.Options) []string {
	var out []string
	for _, m := range optionMembers() {
		if !field(&o, m).IsZero() {
			out = append(out, m)
		}
	}
	return out
}

// without is o with one member at its zero value.
func without(o verifier.Options, member string) verifier.Options {
	f := field(&o, member)
	f.SetZero()
	return o
}
