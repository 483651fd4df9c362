package tsl

import "encoding/pem"

// pemDecode returns the DER of the next CERTIFICATE block and the rest.
func pemDecode(data []byte) ([]byte, []byte) {
	for {
		blk, rest := pem.Decode(data)
		if blk == nil {
			return nil, data
		}
		if blk.Type == "CERTIFICATE" {
			return blk.Bytes, rest
		}
		data = rest
	}
}
