package tlog

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/apostille/apostille/verifier"
	"github.com/transparency-dev/tessera"
	"github.com/transparency-dev/tessera/storage/posix"
	"golang.org/x/mod/sumdb/note"
)

// LogOptions tune a document log.
type LogOptions struct {
	// WitnessPolicy, when set, is a c2sp.org/tlog-policy whose witness
	// lines carry the embassies' submission URLs: every new checkpoint is
	// pushed to them (tlog-witness add-checkpoint) and published with
	// their cosignatures.
	WitnessPolicy []byte
	// WitnessTimeout bounds the wait for cosignatures (default 30s).
	WitnessTimeout time.Duration
	// FailOpen publishes a checkpoint even when the witness quorum was not
	// reached (an embassy is down); its proofs then say quorum_not_met.
	FailOpen bool
	// Republish publishes a fresh checkpoint even when the log has not
	// grown, to collect cosignatures again.
	Republish bool
	// Batch, when set, is the number of documents the caller is about to
	// append: they are sequenced as one batch, so the tiles written do not
	// depend on timing (the demo world is byte-for-byte repeatable).
	Batch uint
}

// Log is an issuer's document log: a directory of C2SP tlog-tiles written
// by Tessera's POSIX driver, which any static web server can publish. Each
// entry is the 32-byte SHA-256 of a signed document's exact bytes, so the
// log holds no personal data (docs/embassy-attestations.md).
type Log struct {
	dir      string
	appender *tessera.Appender
	reader   tessera.LogReader
	shutdown func(context.Context) error
	awaiter  *tessera.PublicationAwaiter
	cancel   context.CancelFunc
}

// checkpointInterval is how often Tessera may publish; Tessera's minimum.
// A one-shot tool waits for at most about this long after appending.
const checkpointInterval = 100 * time.Millisecond

// OpenLog opens (creating if needed) the log in dir, signing checkpoints
// with signer, whose name is the log's origin.
func OpenLog(ctx context.Context, dir string, signer note.Signer, o LogOptions) (*Log, error) {
	QuietLibraryLogs()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	driver, err := posix.New(ctx, posix.Config{Path: dir})
	if err != nil {
		cancel()
		return nil, err
	}
	opts := tessera.NewAppendOptions().
		WithCheckpointSigner(signer).
		WithCheckpointInterval(checkpointInterval).
		WithBatching(256, 10*time.Millisecond).
		// A document logged twice in one run gets one index. Tessera's
		// persistent antispam (a Badger database) is not used: issuers
		// control what they append, and scanning finds an entry's index
		// (FindEntry) without another store beside the tiles.
		WithAntispam(4096, nil).
		WithGarbageCollectionInterval(0)
	if o.Batch > 0 {
		opts.WithBatching(o.Batch, time.Second)
	}
	if o.Republish {
		opts.WithCheckpointRepublishInterval(checkpointInterval)
	}
	if len(o.WitnessPolicy) > 0 {
		wg, err := tessera.NewWitnessGroupFromPolicy(o.WitnessPolicy)
		if err != nil {
			cancel()
			return nil, fmt.Errorf("witness policy: %w", err)
		}
		timeout := o.WitnessTimeout
		if timeout == 0 {
			timeout = 30 * time.Second
		}
		opts.WithWitnesses(wg, &tessera.WitnessOptions{Timeout: timeout, FailOpen: o.FailOpen})
	}
	app, shutdown, reader, err := tessera.NewAppender(ctx, driver, opts)
	if err != nil {
		cancel()
		return nil, err
	}
	return &Log{dir: dir, appender: app, reader: reader, shutdown: shutdown, cancel: cancel,
		awaiter: tessera.NewPublicationAwaiter(ctx, reader.ReadCheckpoint, 20*time.Millisecond)}, nil
}

// Append logs documents, in order, and waits until a published checkpoint
// covers them all. It returns each document's index and that checkpoint.
// A document the log already holds (an earlier append, perhaps one killed
// before it wrote its proofs) is not logged again: it gets the index of
// its existing entry, so that appending is idempotent and a re-run
// finishes what a crashed one left undone.
func (l *Log) Append(ctx context.Context, docs [][]byte) ([]uint64, []byte, error) {
	if len(docs) == 0 {
		return nil, nil, errors.New("nothing to append")
	}
	size, err := l.reader.NextIndex(ctx)
	if err != nil {
		return nil, nil, err
	}
	logged, err := FindEntries(ctx, l.reader, docs, size)
	if err != nil {
		return nil, nil, fmt.Errorf("looking for documents already logged: %w", err)
	}
	futures := make([]tessera.IndexFuture, len(docs))
	for i, d := range docs {
		if at, ok := logged[i]; ok {
			futures[i] = func() (tessera.Index, error) { return tessera.Index{Index: at, IsDup: true}, nil }
			continue
		}
		// Sequential calls keep the documents' order in the log.
		futures[i] = l.appender.Add(ctx, tessera.NewEntry(verifier.EntryHash(d)))
	}
	idx := make([]uint64, len(docs))
	var cp []byte
	for i, f := range futures {
		in, c, err := l.awaiter.Await(ctx, f)
		if err != nil {
			return nil, nil, err
		}
		idx[i] = in.Index
		if cp == nil || checkpointLarger(c, cp) {
			cp = c
		}
	}
	return idx, cp, nil
}

// checkpointLarger says whether checkpoint a is of a larger tree than b.
func checkpointLarger(a, b []byte) bool {
	sa, err1 := CheckpointSize(a)
	sb, err2 := CheckpointSize(b)
	return err1 == nil && err2 == nil && sa > sb
}

// Publish waits for a checkpoint published after now (with Republish set,
// one of the current size) and returns it.
func (l *Log) Publish(ctx context.Context) ([]byte, error) {
	before, _ := l.reader.ReadCheckpoint(ctx)
	for {
		cp, err := l.reader.ReadCheckpoint(ctx)
		if err == nil && string(cp) != string(before) {
			return cp, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Close stops the log's background work; entries appended are durable.
func (l *Log) Close(ctx context.Context) error {
	err := l.shutdown(ctx)
	l.cancel()
	return err
}

// Dir is the log's directory.
func (l *Log) Dir() string { return l.dir }

// CheckpointPath is where a log directory keeps its latest checkpoint.
func CheckpointPath(dir string) string { return filepath.Join(dir, "checkpoint") }
