package e2e

import (
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// A burst of 200 unauthenticated PIN sign-ins against the real server: each credential check
// holds about 19 MiB, so unbounded they took it past a gigabyte. Bounded, every answer is 401 or
// 429 and the server's peak resident memory stays under 200 MB.
func TestPinLoginBurstStaysInMemory(t *testing.T) {
	app := startApp(t)
	var mu sync.Mutex
	counts := map[int]int{}
	var wg sync.WaitGroup
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			code := 0
			res, err := http.Post(app.URL+"/api/v1/auth/pin-login", "application/json", strings.NewReader(fmt.Sprintf(`{"pin":"%06d"}`, 100000+i)))
			if err == nil {
				code = res.StatusCode
				res.Body.Close()
			}
			mu.Lock()
			counts[code]++
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	for code, n := range counts {
		if code != http.StatusUnauthorized && code != http.StatusTooManyRequests {
			t.Fatalf("%d of 200 parallel PIN sign-ins answered %d (0 = no answer); want only 401 and 429: %v", n, code, counts)
		}
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", app.PID))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(status)
	if m == nil {
		t.Fatalf("no VmHWM in /proc/%d/status", app.PID)
	}
	peakKB, _ := strconv.Atoi(string(m[1]))
	if peakKB > 200*1024 {
		t.Fatalf("peak resident memory %d MB after 200 parallel PIN sign-ins, want under 200 MB (answers %v)", peakKB/1024, counts)
	}
	t.Logf("200 parallel PIN sign-ins: %v, peak RSS %d MB", counts, peakKB/1024)
}
