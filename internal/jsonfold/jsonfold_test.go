package jsonfold

import "testing"

// TestFoldsOnto: names at any depth, under a replaced duplicate, and never
// values.
func TestFoldsOnto(t *testing.T) {
	names := map[string]bool{"at": true, "format": true, "holder": true, "nonce": true, "keys": true}
	for data, want := range map[string]bool{
		`{"AT":""}`: true, `{"holder":{"nonCE":""},"holder":null}`: true, `[{"x":[{"Format":1}]}]`: true,
		`{"issuers":[{"keYs":[{"000":{"0":"0"}}]}],"issuers":[{}]}`: true, `{"\u212Aeys":1}`: true, `{"AT"`: true,
		`{"at":"x"}`: false, `["AT"]`: false, `{"x":"AT"}`: false, `"AT"`: false, `{"at":1} {"AT":2}`: false,
	} {
		if got := FoldsOnto([]byte(data), names); got != want {
			t.Errorf("%s: %v, want %v", data, got, want)
		}
	}
}
