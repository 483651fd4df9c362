package verifier

import "strconv"

// Container is what a DigiDoc container (ASiC-E, BDOC 2.1, ASiC-S) holds
// and how each of its signatures was judged. The report's verdict is valid
// only when there is at least one signature, every signature is valid and
// every signature covers every data file.
type Container struct {
	MediaType  string               `json:"media_type"`
	DataFiles  []DataFile           `json:"data_files"`
	Signatures []ContainerSignature `json:"signatures"`
}

// DataFile is one data file of a container.
type DataFile struct {
	Name      string `json:"name"`
	MediaType string `json:"media_type"`
	Size      int64  `json:"size"`
	// SHA256 is lowercase hex.
	SHA256 string `json:"sha256"`
}

// ContainerSignature is one XAdES signature of a container. Indication and
// SubIndication are ETSI EN 319 102-1's, for readers who compare with DSS
// and SiVa; Verdict and Reason are the verifier's own.
type ContainerSignature struct {
	// ID is the ds:Signature Id.
	ID            string  `json:"id,omitempty"`
	File          string  `json:"file"`
	Verdict       Verdict `json:"verdict"`
	Reason        Reason  `json:"reason,omitempty"`
	Indication    string  `json:"indication"`
	SubIndication string  `json:"sub_indication,omitempty"`
	// Level is read from the signature: B-B, B-T, B-LT, B-LTA, BDOC-TM or
	// BDOC-TS.
	Level  string  `json:"level"`
	Signer *Signer `json:"signer,omitempty"`
	// SigningTime is the trusted signing time: the time stamp's genTime,
	// or the time mark's producedAt.
	SigningTime string `json:"signing_time,omitempty"`
	// ClaimedTime is xades:SigningTime, as the signer claims it.
	ClaimedTime string `json:"claimed_signing_time,omitempty"`
	// Qualified is "qes", "adesqc" or "ades"; empty when unknown.
	Qualified      string    `json:"qualified,omitempty"`
	TimeStamp      string    `json:"timestamp_authority,omitempty"`
	OCSPResponder  string    `json:"ocsp_responder,omitempty"`
	OCSPProducedAt string    `json:"ocsp_produced_at,omitempty"`
	Files          []string  `json:"files"`
	Warnings       []Warning `json:"warnings"`
}

// Signer is the person (or seal) a container signature's certificate
// names.
type Signer struct {
	// Name is the certificate's CN, or its given name and surname.
	Name string `json:"name"`
	// PersonalCode is the subject's serialNumber (PNOEE-38001085718, or
	// 38001085718 in older certificates).
	PersonalCode string          `json:"personal_code,omitempty"`
	Country      string          `json:"country,omitempty"`
	Certificate  CertificateInfo `json:"certificate"`
}

func (c *Container) appendJSON(b []byte) []byte {
	b = append(b, `{"media_type":`...)
	b = appendJSONStr(b, c.MediaType)
	b = append(b, `,"data_files":`...)
	if c.DataFiles == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, f := range c.DataFiles {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"name":`...)
			b = appendJSONStr(b, f.Name)
			b = append(b, `,"media_type":`...)
			b = appendJSONStr(b, f.MediaType)
			b = append(b, `,"size":`...)
			b = strconv.AppendInt(b, f.Size, 10)
			b = append(b, `,"sha256":`...)
			b = appendJSONStr(b, f.SHA256)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"signatures":`...)
	if c.Signatures == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range c.Signatures {
			if i > 0 {
				b = append(b, ',')
			}
			b = c.Signatures[i].appendJSON(b)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func (s *ContainerSignature) appendJSON(b []byte) []byte {
	b = append(b, '{')
	n := len(b)
	b = appendOptStr(b, `,"id":`, s.ID)
	b = append(b, `,"file":`...)
	b = appendJSONStr(b, s.File)
	b = dropComma(b, n)
	b = append(b, `,"verdict":`...)
	b = appendJSONStr(b, string(s.Verdict))
	b = appendOptStr(b, `,"reason":`, string(s.Reason))
	b = append(b, `,"indication":`...)
	b = appendJSONStr(b, s.Indication)
	b = appendOptStr(b, `,"sub_indication":`, s.SubIndication)
	b = append(b, `,"level":`...)
	b = appendJSONStr(b, s.Level)
	if g := s.Signer; g != nil {
		b = append(b, `,"signer":{"name":`...)
		b = appendJSONStr(b, g.Name)
		b = appendOptStr(b, `,"personal_code":`, g.PersonalCode)
		b = appendOptStr(b, `,"country":`, g.Country)
		b = append(b, `,"certificate":`...)
		b = g.Certificate.appendJSON(b)
		b = append(b, '}')
	}
	b = appendOptStr(b, `,"signing_time":`, s.SigningTime)
	b = appendOptStr(b, `,"claimed_signing_time":`, s.ClaimedTime)
	b = appendOptStr(b, `,"qualified":`, s.Qualified)
	b = appendOptStr(b, `,"timestamp_authority":`, s.TimeStamp)
	b = appendOptStr(b, `,"ocsp_responder":`, s.OCSPResponder)
	b = appendOptStr(b, `,"ocsp_produced_at":`, s.OCSPProducedAt)
	b = append(b, `,"files":`...)
	if s.Files == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, f := range s.Files {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONStr(b, f)
		}
		b = append(b, ']')
	}
	b = append(b, `,"warnings":`...)
	b = appendWarnings(b, s.Warnings)
	return append(b, '}')
}

func (c *CertificateInfo) appendJSON(b []byte) []byte {
	b = append(b, `{"subject":`...)
	b = appendJSONStr(b, c.Subject)
	b = append(b, `,"issuer":`...)
	b = appendJSONStr(b, c.Issuer)
	b = append(b, `,"serial":`...)
	b = appendJSONStr(b, c.Serial)
	b = append(b, `,"not_before":`...)
	b = appendJSONStr(b, c.NotBefore)
	b = append(b, `,"not_after":`...)
	b = appendJSONStr(b, c.NotAfter)
	return append(b, '}')
}
