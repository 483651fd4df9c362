package host

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apostille/apostille/internal/benchdocs"
	"github.com/apostille/apostille/internal/wasmbuild"
	"github.com/apostille/apostille/verifier"
)

// hungryJWS is a compact JWS whose claims are a JSON array of hundreds of
// thousands of numbers: well under the 1 MiB input limit, but tens of MiB
// once decoded.
func hungryJWS() []byte {
	hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"ES256","kid":"bench-es256"}`))
	claims := `{"a":[` + strings.Repeat("0,", 340000) + `0]}`
	return []byte(hdr + "." + base64.RawURLEncoding.EncodeToString([]byte(claims)) + ".AAAA")
}

type verdict struct {
	Verdict verifier.Verdict `json:"verdict"`
	Reason  verifier.Reason  `json:"reason"`
}

func decide(t *testing.T, rep []byte) verdict {
	t.Helper()
	var v verdict
	if err := json.Unmarshal(rep, &v); err != nil {
		t.Fatalf("report is not JSON: %v: %s", err, rep)
	}
	return v
}

// batchAround verifies good documents, then bad, then good again, each
// through e, and checks that only bad is affected.
func batchAround(t *testing.T, e *Engine, bad []byte, badCtx context.Context, want verifier.Reason) {
	t.Helper()
	set, err := benchdocs.Make()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	opts := verifier.Options{Time: benchdocs.At}
	for round := 0; round < 3; round++ {
		for _, d := range set.Docs {
			if v := decide(t, e.Verify(ctx, d.Data, opts)); v.Verdict != verifier.Valid {
				t.Fatalf("round %d, %s: %+v, want valid", round, d.Name, v)
			}
		}
		if round == 1 {
			v := decide(t, e.Verify(badCtx, bad, opts))
			if v.Reason != want || v.Verdict != verifier.Indeterminate {
				t.Fatalf("the bad document: %+v, want indeterminate/%s", v, want)
			}
		}
	}
}

func benchEngine(t testing.TB, cfg Config) *Engine {
	t.Helper()
	set, err := benchdocs.Make()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Module = wasmbuild.ForTest(t)
	cfg.Trust = []TrustSource{{"bench", set.Trust}}
	cfg.CacheDir = cacheDir(t)
	e, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close(context.Background()) })
	return e
}

// TestOutOfMemoryMidBatch: a document that needs more memory than the
// instance may have gets limit_exceeded; the instance is replaced and the
// documents before and after verify as before.
func TestOutOfMemoryMidBatch(t *testing.T) {
	e := benchEngine(t, Config{Instances: 1, MemoryLimit: 16 << 20})
	// The same document fits without the limit: the limit decides.
	big := benchEngine(t, Config{Instances: 1})
	if v := decide(t, big.Verify(context.Background(), hungryJWS(), verifier.Options{Time: benchdocs.At})); v.Reason == verifier.LimitExceeded {
		t.Fatalf("the hungry document exceeds even the default limit: %+v", v)
	}
	batchAround(t, e, hungryJWS(), context.Background(), verifier.LimitExceeded)
}

// TestTrapMidBatch: an instance whose call fails (here the host's own crypto
// callback panics, which wazero turns into a failed call) is discarded;
// the document gets internal and the batch goes on.
func TestTrapMidBatch(t *testing.T) {
	var armed atomic.Bool
	e := benchEngine(t, Config{Instances: 1, Crypto: func(alg string, spki, msg, sig []byte) (bool, bool) {
		if armed.Swap(false) {
			panic("host crypto failed")
		}
		return false, false
	}})
	set, _ := benchdocs.Make()
	// Armed for exactly the bad document's signature check.
	trap := &armingCtx{Context: context.Background(), arm: func() { armed.Store(true) }}
	batchAround(t, e, set.Docs[0].Data, trap, verifier.Internal)
}

// armingCtx arms the trap when Verify first asks whether it is done, which
// happens as the document's call starts.
type armingCtx struct {
	context.Context
	arm  func()
	once atomic.Bool
}

func (c *armingCtx) Done() <-chan struct{} {
	if !c.once.Swap(true) {
		c.arm()
	}
	return c.Context.Done()
}

// TestDeadlineMidBatch: a document whose verification outlasts the timeout
// gets limit_exceeded; its instance is replaced and the batch goes on.
func TestDeadlineMidBatch(t *testing.T) {
	for _, interruptible := range []bool{false, true} {
		var slow atomic.Bool
		e := benchEngine(t, Config{Instances: 1, Timeout: 300 * time.Millisecond, Interruptible: interruptible,
			Crypto: func(alg string, spki, msg, sig []byte) (bool, bool) {
				if slow.Swap(false) {
					time.Sleep(time.Second)
				}
				return false, false
			}})
		set, _ := benchdocs.Make()
		trap := &armingCtx{Context: context.Background(), arm: func() { slow.Store(true) }}
		batchAround(t, e, set.Docs[1].Data, trap, verifier.LimitExceeded)
	}
}

// TestDeadlineFreesTheSlot: while a late call still runs (it cannot be
// stopped without Interruptible), its slot in the pool already serves other
// documents; the late document gets limit_exceeded when its call returns.
func TestDeadlineFreesTheSlot(t *testing.T) {
	var slow atomic.Bool
	entered, release := make(chan struct{}), make(chan struct{})
	e := benchEngine(t, Config{Instances: 1, Timeout: 100 * time.Millisecond,
		Crypto: func(alg string, spki, msg, sig []byte) (bool, bool) {
			if slow.Swap(false) {
				close(entered)
				<-release
			}
			return false, false
		}})
	set, _ := benchdocs.Make()
	opts := verifier.Options{Time: benchdocs.At}
	late := make(chan []byte)
	slow.Store(true)
	go func() { late <- e.Verify(context.Background(), set.Docs[0].Data, opts) }()
	// Once the late call holds the only instance, the timer hands its slot
	// over at the deadline.
	<-entered
	for len(e.slots) == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	for _, d := range set.Docs {
		if v := decide(t, e.Verify(context.Background(), d.Data, opts)); v.Verdict != verifier.Valid {
			t.Fatalf("%s while another call is late: %+v, want valid", d.Name, v)
		}
	}
	close(release)
	if v := decide(t, <-late); v.Reason != verifier.LimitExceeded {
		t.Fatalf("the late document: %+v, want limit_exceeded", v)
	}
}
