package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"backroom/models/dbtest"
)

// `backroom worker` works the background jobs without serving anything: it starts on a migrated
// database, runs the periodic jobs (the integration scheduler, the worksheets falling due), holds
// no listening socket, and exits 0 on SIGTERM.
func TestWorkerRunsJobsWithoutServing(t *testing.T) {
	// listening sees a socket when there is one: this test's own.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if got := listening(t, os.Getpid()); len(got) == 0 {
		t.Fatal("listening does not see this test's own listening socket")
	}
	ln.Close()

	dbURL, pool, _ := dbtest.New(t)
	cmd := exec.Command(binPath, "worker")
	cmd.Env = environ(dbEnv(dbURL))
	stdout := &watchedBuffer{changed: make(chan struct{}, 1)}
	var stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start backroom worker: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = cmd.Process.Kill()
			<-exited
		}
	})

	deadline := time.After(60 * time.Second)
	for !strings.Contains(stdout.String(), "Backroom workers are running") {
		select {
		case <-stdout.changed:
		case err := <-exited:
			stopped = true
			t.Fatalf("backroom worker exited before running: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
		case <-deadline:
			t.Fatalf("backroom worker did not start within 60s\nstdout: %s\nstderr: %s", stdout.String(), stderr.String())
		}
	}

	// The periodic jobs run once at start, on whichever worker River elects leader.
	ctx := context.Background()
	for _, kind := range []string{"integration_scheduler", "pricing_apply_due_worksheets"} {
		var done int
		for end := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
			if err := pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = $1 AND state = 'completed'`, kind).Scan(&done); err != nil {
				t.Fatal(err)
			}
			if done > 0 {
				break
			}
			if time.Now().After(end) {
				t.Fatalf("the worker never completed a %s job\nstderr: %s", kind, stderr.String())
			}
		}
	}

	if ports := listening(t, cmd.Process.Pid); len(ports) > 0 {
		t.Fatalf("backroom worker listens on %v; it must serve nothing", ports)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			t.Fatalf("backroom worker did not exit cleanly on SIGTERM: %v\nstderr: %s", err, stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("backroom worker did not stop within 60s of SIGTERM")
	}
}

// listening lists the TCP sockets process pid holds in the LISTEN state, as local addresses in
// /proc/net/tcp form, by matching the socket inodes of its open files.
func listening(t *testing.T, pid int) []string {
	t.Helper()
	fds, err := filepath.Glob(fmt.Sprintf("/proc/%d/fd/*", pid))
	if err != nil || len(fds) == 0 {
		t.Fatalf("cannot read the worker's open files in /proc: %v", err)
	}
	inodes := map[string]bool{}
	for _, fd := range fds {
		if target, err := os.Readlink(fd); err == nil && strings.HasPrefix(target, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(target, "socket:["), "]")] = true
		}
	}
	if len(inodes) == 0 {
		t.Fatal("the worker holds no socket at all, not even its database connections: /proc looks unreadable")
	}
	var out []string
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(table)
		if err != nil {
			continue // no IPv6 here
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) > 9 && f[3] == "0A" && inodes[f[9]] { // 0A: TCP_LISTEN
				out = append(out, f[1])
			}
		}
	}
	return out
}
