package verifier

import (
	"archive/zip"
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The DigiDoc containers of digidoc4j and libdigidocpp (testdata/asice,
// README.md there): every one opens, or is refused with a reason whose
// verdict the case accepts.

// asicVector is one case of testdata/asice/manifest.json.
type asicVector struct {
	ID       string   `json:"id"`
	File     string   `json:"file"`
	SHA256   string   `json:"sha256"`
	Expected string   `json:"expected"`
	Accept   []string `json:"accept"`
	Why      string   `json:"why"`
	Format   string   `json:"format"`
}

func loadASiCVectors(tb testing.TB) []asicVector {
	tb.Helper()
	b, err := os.ReadFile("testdata/asice/manifest.json")
	if err != nil {
		tb.Fatal(err)
	}
	var m struct {
		Cases []asicVector `json:"cases"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		tb.Fatal(err)
	}
	if len(m.Cases) != 83 {
		tb.Fatalf("%d cases, want 83", len(m.Cases))
	}
	return m.Cases
}

func (v asicVector) read(tb testing.TB) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata/asice", v.File))
	if err != nil {
		tb.Fatal(err)
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != v.SHA256 {
		tb.Fatalf("%s: SHA-256 differs from the manifest", v.File)
	}
	return b
}

// asicRefused are the containers the reader refuses, by file name, with
// the reason and the rule, from each case's "why" and a look at the ZIP.
var asicRefused = map[string]struct {
	reason Reason
	rule   string
}{
	"22902_data_files_with_same_names.bdoc":        {Malformed, "two entries of one name (sharing one local record)"},
	"KS-15_signatures_xml_topelt.bdoc":             {Malformed, "two entries named META-INF/signatures1.xml"},
	"KS-18_lisatudfail.4.asice":                    {Malformed, "a data file added after signing is not in the manifest"},
	"bdoc-tm-with-changed-data-file-name.bdoc":     {Malformed, "the manifest names a data file the container lacks (renamed)"},
	"incorrectMimetype.bdoc":                       {Malformed, "mimetype holds no media type"},
	"notABDoc.bdoc":                                {UnsupportedFormat, "a ZIP without a mimetype entry"},
	"asics-2-signatures-in-different-files.asics":  {Malformed, "ASiC-S with two signature files"},
	"testasics.asics":                              {Malformed, "ASiC-S with two data files"},
	"asics_for_testing.bdoc":                       {Malformed, "ASiC-E without META-INF/manifest.xml"},
	"asice-relative.asice":                         {Malformed, `a data file named "folder/../test1.txt"`},
	"dot.asice":                                    {Malformed, `a data file named "."`},
	"pt-empty.asice":                               {Malformed, "a manifest entry with an empty full-path"},
	"zip-bomb-package-zip.asics":                   {Malformed, "mimetype is the last entry"},
	"signature_xml_contains_trailing_content.bdoc": {Malformed, "mimetype is the third entry"},
	"asics_with_one_signature.bdoc":                {Malformed, "a META-INF/ folder entry before mimetype"},
	"asics_without_signatures.bdoc":                {Malformed, "a META-INF/ folder entry before mimetype"},
	"TS-06_23634_TS_missing_OCSP_adjusted.asice":   {Malformed, "a META-INF/ folder entry before mimetype"},
	"filename_mismatch_second_signature.asice":     {Malformed, "a META-INF/ folder entry before mimetype"},
	"invalid-data-file.bdoc":                       {Malformed, "a META-INF/ folder entry before mimetype"},
	"invalid_container.bdoc":                       {Malformed, "a META-INF/ folder entry before mimetype"},
	"multiple_signed_properties.asice":             {Malformed, "a META-INF/ folder entry before mimetype"},
	"zip_misses_file_which_is_in_manifest.asice":   {Malformed, "a META-INF/ folder entry before mimetype"},
}

// asicDeviating are the containers that open with a tolerated deviation.
var asicDeviating = map[string][]asicDeviation{
	"bdoc-with-tm-and-ts-signature.bdoc":                                  {mimetypeCompressed},
	"ocsp_cert_is_not_in_tsl.bdoc":                                        {mimetypePadded},
	"KS-18_lisatudfilemanifest.4.asice":                                   {mimetypePadded},
	"invalid-bdoc-tm-missing-revoked-ocsp.bdoc":                           {mimetypeExtraField},
	"valid-bdoc-ts-signature-file-name-with-non-numeric-characters.asice": {mimetypeExtraField},
}

func TestASiCVectors(t *testing.T) {
	refused := 0
	for _, v := range loadASiCVectors(t) {
		t.Run(v.ID, func(t *testing.T) {
			data := v.read(t)
			base := filepath.Base(v.File)
			c, err := readASiC(data, asicLimits{}, nil, nil)
			if want, ok := asicRefused[base]; ok {
				refused++
				if errReason(err) != want.reason {
					t.Fatalf("reason %s (%v), want %s: %s", errReason(err), err, want.reason, want.rule)
				}
				if !slices.Contains(v.Accept, string(want.reason.Verdict())) {
					t.Fatalf("refused as %s (%s), which the case does not accept: %v", want.reason, want.reason.Verdict(), v.Accept)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %s: %v (case: %s %v)", errReason(err), err, v.Expected, v.Why)
			}
			if !slices.Equal(c.Deviations, asicDeviating[base]) {
				t.Fatalf("deviations %v, want %v", c.Deviations, asicDeviating[base])
			}
			compareWithArchiveZip(t, data, c)
		})
	}
	if refused != len(asicRefused) {
		t.Fatalf("%d of the %d refusals were met: a file name in asicRefused matches no case", refused, len(asicRefused))
	}
}

// compareWithArchiveZip holds the container to what the standard library's
// ZIP reader reads from the same bytes: the same data files with the same
// content, and each of the reader's ways to the content agreeing.
func compareWithArchiveZip(t *testing.T, data []byte, c *asicContainer) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("archive/zip: %v", err)
	}
	byName := map[string]*asicFile{}
	for _, f := range append(slices.Clone(c.DataFiles), c.Signatures...) {
		byName[f.Name] = f
	}
	seen := 0
	for _, zf := range zr.File {
		f := byName[zf.Name]
		if f == nil {
			continue
		}
		seen++
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		want, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.Content()
		if err != nil || !bytes.Equal(got, want) || f.Size != int64(len(want)) {
			t.Fatalf("%s: content differs from archive/zip's", f.Name)
		}
		if f.XML != nil && !bytes.Equal(f.XML, want) {
			t.Fatalf("%s: XML differs from archive/zip's", f.Name)
		}
		if f.XML == nil {
			if f.SHA256 != sha256.Sum256(want) || f.MediaType == "" {
				t.Fatalf("%s: SHA-256 or media type", f.Name)
			}
			if d, err := f.Digest(crypto.SHA256); err != nil || !bytes.Equal(d, f.SHA256[:]) {
				t.Fatalf("%s: Digest differs from SHA256", f.Name)
			}
		}
	}
	if seen != len(byName) {
		t.Fatalf("archive/zip sees %d of the %d files", seen, len(byName))
	}
}
