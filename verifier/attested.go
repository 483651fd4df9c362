package verifier

import (
	"bytes"
	"encoding/base64"
	"errors"
)

// AttestedHeader is the first line of an attested document: a document and
// its tlog proof in one file (FormatAttested), for channels that carry one
// file (a download, a mail attachment, the page's single drop zone).
//
//	apostille/attested@v1
//	document <standard base64 of the document's exact bytes, one line>
//	<the c2sp.org/tlog-proof@v1, verbatim, to the end>
//
// docs/embassy-attestations.md describes it.
const AttestedHeader = "apostille/attested@v1"

// parseAttested splits an attested document into the document's bytes and
// its proof. Leading blank space is allowed (files pasted into forms);
// nothing after the header is trimmed, since the proof ends in the
// checkpoint's signature lines and their newline.
func parseAttested(input []byte) (doc, proof []byte, err error) {
	in := bytes.TrimLeft(input, " \t\r\n")
	header, rest, ok := bytes.Cut(in, []byte{'\n'})
	if !ok || string(header) != AttestedHeader {
		return nil, nil, errors.New("not an " + AttestedHeader + " document")
	}
	line, proof, ok := bytes.Cut(rest, []byte{'\n'})
	if !ok || !bytes.HasPrefix(line, []byte("document ")) {
		return nil, nil, errors.New("attested document: no document line")
	}
	b64 := line[len("document "):]
	if bytes.IndexByte(b64, '\r') >= 0 {
		return nil, nil, errors.New("attested document: the document is not base64")
	}
	doc, err = base64.StdEncoding.Strict().DecodeString(string(b64))
	if err != nil || len(doc) == 0 {
		return nil, nil, errors.New("attested document: the document is not base64")
	}
	if len(proof) == 0 {
		return nil, nil, errors.New("attested document: no proof")
	}
	return doc, proof, nil
}

// AttestedDocument writes the attested form of a document and its proof.
func AttestedDocument(doc, proof []byte) []byte {
	var b bytes.Buffer
	b.WriteString(AttestedHeader + "\ndocument ")
	b.WriteString(base64.StdEncoding.EncodeToString(doc))
	b.WriteByte('\n')
	b.Write(proof)
	return b.Bytes()
}
