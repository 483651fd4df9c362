package tlog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestConsistencyVectors runs transparency-dev/merkle's consistency
// vectors (testdata/merkle, SOURCE) through VerifyConsistency, the check an
// embassy applies before it cosigns.
func TestConsistencyVectors(t *testing.T) {
	files, _ := filepath.Glob("testdata/merkle/consistency/*/*.json")
	if len(files) == 0 {
		t.Fatal("no vectors")
	}
	happy := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var v struct {
			Size1, Size2 uint64
			Root1, Root2 []byte
			Proof        [][]byte
			WantErr      bool
		}
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		err = VerifyConsistency(v.Size1, v.Size2, v.Proof, v.Root1, v.Root2)
		if (err != nil) != v.WantErr {
			t.Errorf("%s: error %v, want error %v", f, err, v.WantErr)
		}
		if !v.WantErr {
			happy++
		}
	}
	if happy == 0 {
		t.Fatal("no vector expects success")
	}
}

// appendDocs appends documents [from, to) to the log in dir.
func appendDocs(t testing.TB, dir string, k testKeys, from, to int) []byte {
	t.Helper()
	ctx := context.Background()
	l, err := OpenLog(ctx, dir, k.logSigner, LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var docs [][]byte
	for i := from; i < to; i++ {
		docs = append(docs, issuerDoc(i))
	}
	_, cp, err := l.Append(ctx, docs)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return cp
}

// copyDir copies a log directory: the starting point of a fork.
func copyDir(t testing.TB, from, to string) {
	t.Helper()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
}

func refusal(err error) string {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Reason
	}
	if err != nil {
		return "error: " + err.Error()
	}
	return ""
}

// TestMirrorFollow: an embassy follows a log through growth, refuses a
// fork and a rollback (and keeps the evidence), and resumes from its state
// after a restart.
func TestMirrorFollow(t *testing.T) {
	ctx := context.Background()
	k := newTestKeys(t, "log.example/follow")
	logDir, state := t.TempDir(), t.TempDir()
	var events []Event
	open := func(src string) *Mirror { return openMirror(t, state, k, src, &events) }
	origin := "log.example/follow"

	appendDocs(t, logDir, k, 0, 300) // crosses an entry bundle boundary
	m := open(logDir)
	if line, err := m.Follow(ctx, origin); err != nil || line == "" {
		t.Fatalf("first follow: %q %v", line, err)
	}
	if line, err := m.Follow(ctx, origin); err != nil || line != "" {
		t.Fatalf("nothing new: %q %v", line, err)
	}
	snapshot := t.TempDir()
	copyDir(t, logDir, snapshot)
	appendDocs(t, logDir, k, 300, 310)
	if _, err := m.Follow(ctx, origin); err != nil {
		t.Fatal(err)
	}
	if n, _ := m.Size(origin); n != 310 {
		t.Fatalf("size %d", n)
	}
	// The copy is a log of its own: the same tiles, its checkpoint cosigned.
	cp, err := os.ReadFile(filepath.Join(m.CopyDir(origin), "checkpoint"))
	if err != nil || !strings.Contains(string(cp), "— embassy.example/test ") {
		t.Fatalf("copy checkpoint: %v", err)
	}
	if i, ok, err := FindEntry(ctx, DirSource(m.CopyDir(origin)), issuerDoc(305), 310); err != nil || !ok || i != 305 {
		t.Fatalf("copy lacks an entry: %v %v", ok, err)
	}

	// Restart: a new process reads the persisted state.
	m = open(logDir)
	if n, _ := m.Size(origin); n != 310 {
		t.Fatalf("after restart, size %d", n)
	}

	// The fork: the snapshot grows differently to the same size.
	appendDocs(t, snapshot, k, 1300, 1310)
	fork := open(snapshot)
	if _, err := fork.Follow(ctx, origin); refusal(err) != "fork" {
		t.Fatalf("fork: %v", err)
	}
	if n, _ := fork.Size(origin); n != 310 {
		t.Fatalf("the fork moved the state to %d", n)
	}
	ev, _ := filepath.Glob(filepath.Join(state, "evidence", "*"))
	if len(ev) == 0 {
		t.Fatal("no evidence kept")
	}
	// Growing past the fork point is still inconsistent.
	appendDocs(t, snapshot, k, 2000, 2005)
	if _, err := fork.Follow(ctx, origin); refusal(err) != "fork" {
		t.Fatalf("fork, later: %v", err)
	}
	// Rollback: a log directory of 300 other entries.
	old := t.TempDir()
	appendDocs(t, old, k, 5000, 5300)
	if _, err := open(old).Follow(ctx, origin); refusal(err) != "rollback" {
		t.Fatalf("rollback: %v", err)
	}
	var refused []string
	for _, e := range events {
		if e.Kind == "refused" {
			refused = append(refused, e.Reason)
		}
	}
	if strings.Join(refused, ",") != "fork,fork,rollback" {
		t.Fatalf("events %v", refused)
	}
}

// TestFollowBehind: a follow that reads a checkpoint older than the one
// cosigned (the log pushed a newer one and has not published it yet) is
// no rollback when the older tree is a prefix of the cosigned one: no
// event, no error, the state stays. A log that stays behind past
// BehindAlert is reported.
func TestFollowBehind(t *testing.T) {
	ctx := context.Background()
	k := newTestKeys(t, "log.example/behind")
	origin := "log.example/behind"
	logDir, state := t.TempDir(), t.TempDir()
	var events []Event
	open := func(src string) *Mirror { return openMirror(t, state, k, src, &events) }
	appendDocs(t, logDir, k, 0, 8)
	published := t.TempDir()
	copyDir(t, logDir, published) // what the log's web server still shows
	appendDocs(t, logDir, k, 8, 300)
	m := open(logDir)
	if _, err := m.Follow(ctx, origin); err != nil {
		t.Fatal(err)
	}
	// The same embassy now reads the older checkpoint, as a poll does
	// between a push and its publication.
	lagging := open(published)
	for i := 0; i < 3; i++ {
		if line, err := lagging.Follow(ctx, origin); err != nil || line != "" {
			t.Fatalf("follow %d of an older checkpoint: %q %v", i, line, err)
		}
	}
	if n, _ := lagging.Size(origin); n != 300 {
		t.Fatalf("size %d", n)
	}
	for _, e := range events {
		if e.Kind == "refused" {
			t.Fatalf("event %v", e)
		}
	}
	// Behind for longer than BehindAlert: reported.
	lagging.BehindAlert = time.Nanosecond
	time.Sleep(time.Millisecond)
	if _, err := lagging.Follow(ctx, origin); refusal(err) != "rollback" {
		t.Fatalf("a log behind for good: %v", err)
	}
}

// TestAddCheckpointHTTP drives the tlog-witness endpoint on a real server.
func TestAddCheckpointHTTP(t *testing.T) {
	ctx := context.Background()
	k := newTestKeys(t, "log.example/push")
	logDir := t.TempDir()
	m, err := NewMirror(t.TempDir(), k.embassy, []MirroredLog{{VKey: k.logVKey, Source: DirSource(logDir)}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	post := func(body string) (int, string, string) {
		r, err := http.Post(srv.URL+"/add-checkpoint", "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		return r.StatusCode, r.Header.Get("Content-Type"), string(b)
	}
	cp := appendDocs(t, logDir, k, 0, 5)
	if code, _, body := post("old 0\n\n" + string(cp)); code != 200 || !strings.HasPrefix(body, "— embassy.example/test ") {
		t.Fatalf("first push: %d %q", code, body)
	}
	cp2 := appendDocs(t, logDir, k, 5, 9)
	if code, ct, body := post("old 0\n\n" + string(cp2)); code != 409 || ct != "text/x.tlog.size" || body != "5\n" {
		t.Fatalf("stale old size: %d %q %q", code, ct, body)
	}
	if code, _, _ := post("old 5\n\n" + string(cp2)); code != 422 {
		t.Fatalf("missing consistency proof: %d", code)
	}
	pb, _ := NewProver(ctx, DirSource(logDir), cp2)
	path, err := pb.pb.ConsistencyProof(ctx, 5, 9)
	if err != nil {
		t.Fatal(err)
	}
	var lines string
	for _, h := range path {
		lines += b64(h) + "\n"
	}
	if code, _, _ := post("old 5\n" + lines + "\n" + string(cp2)); code != 200 {
		t.Fatalf("good push: %d", code)
	}
	other := newTestKeys(t, "log.example/other")
	ocp := appendDocs(t, t.TempDir(), other, 0, 1)
	if code, _, _ := post("old 0\n\n" + string(ocp)); code != 404 {
		t.Fatalf("unknown origin: %d", code)
	}
	forged := strings.Replace(string(cp2), "\n9\n", "\n10\n", 1)
	if code, _, _ := post("old 9\n\n" + forged); code != 403 {
		t.Fatalf("bad signature: %d", code)
	}
	if code, _, _ := post("old 10\n\n" + string(cp2)); code != 400 {
		t.Fatalf("old beyond size: %d", code)
	}
	if code, _, _ := post("nonsense"); code != 400 {
		t.Fatalf("malformed: %d", code)
	}
	// The copy is served, the embassy's state files are not.
	r, err := http.Get(srv.URL + "/" + OriginHash("log.example/push") + "/checkpoint")
	if err != nil || r.StatusCode != 200 {
		t.Fatalf("checkpoint: %v", err)
	}
	r.Body.Close()
	r, _ = http.Get(srv.URL + "/" + OriginHash("log.example/push") + "/.state/treeState")
	if r.StatusCode != 404 {
		t.Fatalf("private state served: %d", r.StatusCode)
	}
	r.Body.Close()
	_ = fmt.Sprint()
}

// TestMirrorFollowHTTP follows a log served over HTTP by a static file
// server, as a log published with any web server is.
func TestMirrorFollowHTTP(t *testing.T) {
	ctx := context.Background()
	k := newTestKeys(t, "log.example/http")
	logDir := t.TempDir()
	appendDocs(t, logDir, k, 0, 20)
	srv := httptest.NewServer(http.FileServer(http.Dir(logDir)))
	defer srv.Close()
	src, err := HTTPSource(srv.URL+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMirror(t.TempDir(), k.embassy, []MirroredLog{{VKey: k.logVKey, Source: src}})
	if err != nil {
		t.Fatal(err)
	}
	if line, err := m.Follow(ctx, "log.example/http"); err != nil || line == "" {
		t.Fatalf("follow over HTTP: %v", err)
	}
	if n, _ := m.Size("log.example/http"); n != 20 {
		t.Fatalf("size %d", n)
	}
}

// openMirror opens an embassy's mirror of the log in src, its state in
// state, recording its events in events, at testTime.
func openMirror(t *testing.T, state string, k testKeys, src string, events *[]Event) *Mirror {
	t.Helper()
	m, err := NewMirror(state, k.embassy, []MirroredLog{{VKey: k.logVKey, Source: DirSource(src)}})
	if err != nil {
		t.Fatal(err)
	}
	m.Events = func(e Event) { *events = append(*events, e) }
	m.Now = func() time.Time { return testTime }
	return m
}
