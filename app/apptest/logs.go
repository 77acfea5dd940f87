package apptest

import (
	"bytes"
	"log/slog"
	"sync"
	"testing"
)

// Logs is everything the process logged since CaptureLogs, safe to read while handlers and
// River's workers are still logging from their own goroutines.
type Logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String is the log so far.
func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// CaptureLogs sends the default logger, at debug level, to the returned Logs until the test
// ends. Call it after the app is built: the first app a test process builds sets the default
// logger once.
func CaptureLogs(t testing.TB) *Logs {
	logs := &Logs{}
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })
	return logs
}
