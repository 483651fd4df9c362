package verifier

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Limits on a policy's size. c2sp.org/tlog-policy recommends supporting at
// least 32 logs, 32 witnesses and 32 groups.
const (
	maxPolicySize    = 64 << 10
	maxPolicyEntries = 64 // of each kind
)

// tlogPolicy is a parsed c2sp.org/tlog-policy: which logs may sign an
// issuer's checkpoints, which witnesses (embassies) may cosign them, and the
// quorum of cosignatures that makes a checkpoint acceptable.
type tlogPolicy struct {
	logs      []*noteKey
	witnesses []*policyWitness
	// quorum is nil for "quorum none".
	quorum *policyNode
}

// policyWitness is one "witness <name> <vkey>" line.
type policyWitness struct {
	name string
	key  *noteKey
}

// policyNode is a witness or a group, as the quorum and groups refer to them.
type policyNode struct {
	witness   *policyWitness // set for a witness
	threshold int            // for a group: how many members must be satisfied
	members   []*policyNode
}

// satisfied reports whether the node is satisfied when the witnesses in
// cosigned have cosigned. Groups are acyclic by construction (members are
// defined on earlier lines), so the recursion ends.
func (n *policyNode) satisfied(cosigned map[*policyWitness]bool) bool {
	if n.witness != nil {
		return cosigned[n.witness]
	}
	k := 0
	for _, m := range n.members {
		if m.satisfied(cosigned) {
			k++
		}
	}
	return k >= n.threshold
}

// parsePolicy reads a c2sp.org/tlog-policy. Log keys must be Ed25519 (0x01)
// vkeys and witness keys Ed25519 cosignature (0x04) vkeys, the two types
// this verifier checks; any other policy is refused rather than silently
// weakened.
func parsePolicy(text []byte) (*tlogPolicy, error) {
	if len(text) > maxPolicySize {
		return nil, fmt.Errorf("policy larger than %d bytes", maxPolicySize)
	}
	for _, c := range text {
		if c < 0x20 && c != '\t' && c != '\n' || c == 0x7f {
			return nil, errors.New("policy: control character")
		}
	}
	p := &tlogPolicy{}
	names := map[string]*policyNode{}
	pubs := map[string]bool{}
	groups := 0
	quorumSeen := false
	for i, line := range bytes.Split(text, []byte{'\n'}) {
		fields := strings.FieldsFunc(string(line), func(r rune) bool { return r == ' ' || r == '\t' })
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		lineErr := func(msg string) error { return fmt.Errorf("policy line %d: %s", i+1, msg) }
		switch fields[0] {
		case "log":
			if len(fields) < 2 || len(fields) > 3 {
				return nil, lineErr("log takes a vkey and an optional URL")
			}
			k, err := parseVKey(fields[1])
			if err != nil || k.sigType != sigTypeEd25519 {
				return nil, lineErr("log key must be an Ed25519 signed-note vkey")
			}
			if pubs[string(k.pub)] {
				return nil, lineErr("duplicate key")
			}
			pubs[string(k.pub)] = true
			if len(p.logs) == maxPolicyEntries {
				return nil, lineErr("too many logs")
			}
			p.logs = append(p.logs, k)
		case "witness":
			if len(fields) < 3 || len(fields) > 4 {
				return nil, lineErr("witness takes a name, a vkey and an optional URL")
			}
			name := fields[1]
			if name == "none" || names[name] != nil {
				return nil, lineErr("witness name already defined or reserved")
			}
			k, err := parseVKey(fields[2])
			if err != nil || k.sigType != sigTypeCosignature {
				return nil, lineErr("witness key must be an Ed25519 cosignature (type 0x04) vkey")
			}
			if pubs[string(k.pub)] {
				return nil, lineErr("duplicate key")
			}
			pubs[string(k.pub)] = true
			if len(p.witnesses) == maxPolicyEntries {
				return nil, lineErr("too many witnesses")
			}
			w := &policyWitness{name: name, key: k}
			p.witnesses = append(p.witnesses, w)
			names[name] = &policyNode{witness: w}
		case "group":
			if len(fields) < 4 {
				return nil, lineErr("group takes a name, a threshold and at least one member")
			}
			name := fields[1]
			if name == "none" || names[name] != nil {
				return nil, lineErr("group name already defined or reserved")
			}
			g := &policyNode{}
			seen := map[string]bool{}
			for _, m := range fields[3:] {
				n := names[m]
				if n == nil || seen[m] {
					return nil, lineErr("a member is undefined or listed twice")
				}
				seen[m] = true
				g.members = append(g.members, n)
			}
			switch t := fields[2]; t {
			case "all":
				g.threshold = len(g.members)
			case "any":
				g.threshold = 1
			default:
				k, ok := parseDecimal(t)
				if !ok || k < 1 || k > uint64(len(g.members)) {
					return nil, lineErr("threshold must be all, any or a number from 1 to the number of members")
				}
				g.threshold = int(k)
			}
			if groups++; groups > maxPolicyEntries {
				return nil, lineErr("too many groups")
			}
			names[name] = g
		case "quorum":
			if len(fields) != 2 || quorumSeen {
				return nil, lineErr("exactly one quorum line, naming one witness or group")
			}
			quorumSeen = true
			if fields[1] != "none" {
				if p.quorum = names[fields[1]]; p.quorum == nil {
					return nil, lineErr("quorum names an undefined witness or group")
				}
			}
		default:
			return nil, lineErr("unknown keyword " + strconv.Quote(clip(fields[0])))
		}
	}
	if !quorumSeen {
		return nil, errors.New("policy: no quorum line")
	}
	return p, nil
}
