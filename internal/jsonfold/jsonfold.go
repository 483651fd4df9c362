// Package jsonfold serves the tests that hold the project's JSON readers
// to encoding/json. Those readers match member names exactly (RFC 8259);
// encoding/json also takes a name that only equals a field's under case
// folding ("KID", "\u212Aeys") for the field. Inputs with such a name are
// read differently by design, and the comparisons leave them out.
package jsonfold

import (
	"bytes"
	"encoding/json"
	"strings"
)

// FoldsOnto reports whether the first JSON value in data has a member name
// that is not in names but equals one of them under case folding. Names
// are read as tokens, at any depth, so that one under a member a later
// duplicate replaces is seen too: in {"holder":{"nonCE":""},"holder":null}
// encoding/json reads "nonCE" as "nonce" before the second holder
// replaces the first, which a decoding into a map would hide. What follows
// the first value (an error for both readers) is not read.
func FoldsOnto(data []byte, names map[string]bool) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	var objects []bool // for each open container, whether it is an object
	key := false       // the next token is a member name
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				objects = append(objects, t == '{')
				key = t == '{'
				continue
			default:
				objects = objects[:len(objects)-1]
			}
		case string:
			if key {
				if !names[t] {
					for n := range names {
						if strings.EqualFold(n, t) {
							return true
						}
					}
				}
				key = false
				continue
			}
		}
		// A value is complete: a name follows it in an object.
		if len(objects) == 0 {
			return false
		}
		key = objects[len(objects)-1]
	}
}
