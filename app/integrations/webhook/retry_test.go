package webhook_test

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	"testing"
)

// An attempt the receiver got but never answered (its answer timed out or the connection
// dropped) is tried again: at-least-once. Every attempt, and a redelivery by hand, carries the
// same X-Backroom-Delivery id and the same body, so the receiver can drop the repeats.
func TestUnansweredAttemptIsRetriedUnderTheSameDeliveryID(t *testing.T) {
	f := fixture(t, fast)
	recv := newReceiver(t)
	var mu sync.Mutex
	var dropped []received
	inner := recv.srv.Config.Handler
	recv.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		mu.Lock()
		first := len(dropped) == 0
		mu.Unlock()
		if !first {
			inner.ServeHTTP(w, req)
			return
		}
		// Take the whole request, then hang up without answering.
		body, _ := io.ReadAll(req.Body)
		mu.Lock()
		dropped = append(dropped, received{Event: req.Header.Get("X-Backroom-Event"), Delivery: req.Header.Get("X-Backroom-Delivery"),
			Timestamp: req.Header.Get("X-Backroom-Timestamp"), Body: body})
		mu.Unlock()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		conn.Close()
	})
	hook := addHook(t, f, "Slow", recv.srv.URL, "validated", nil)

	f.Sell(f.Admin, seedSale(f, "R-0030"))
	f.Eventually("delivered on the second attempt", func() bool { return f.Count("webhook_deliveries", "status = 'delivered'") == 1 })
	list := deliveries(t, f, hook)
	if len(list) != 1 || list[0].Attempts != 2 || len(list[0].AttemptLog) != 2 {
		t.Fatalf("deliveries = %+v", list)
	}
	d := list[0]
	if a := d.AttemptLog[0]; a.StatusCode != nil || a.Error == "" {
		t.Fatalf("unanswered attempt logged as %+v", a)
	}
	if a := d.AttemptLog[1]; a.StatusCode == nil || *a.StatusCode != http.StatusOK {
		t.Fatalf("second attempt logged as %+v", a)
	}
	got := recv.requests()
	if len(dropped) != 1 || len(got) != 1 {
		t.Fatalf("receiver got %d unanswered and %d answered requests", len(dropped), len(got))
	}
	if dropped[0].Delivery != d.ID || got[0].Delivery != d.ID {
		t.Fatalf("delivery ids %q then %q, row %s", dropped[0].Delivery, got[0].Delivery, d.ID)
	}
	if !bytes.Equal(dropped[0].Body, got[0].Body) {
		t.Fatal("the retry sent a different body")
	}

	// A redelivery by hand is the same delivery again.
	f.Do("POST", "/api/v1/integrations/"+hook+"/deliveries/"+d.ID+"/redeliver", nil, f.Admin).Expect(t, http.StatusAccepted)
	f.Eventually("redelivered", func() bool { return f.Count("webhook_deliveries", "status = 'delivered' AND attempts = 3") == 1 })
	got = recv.requests()
	if len(got) != 2 || got[1].Delivery != d.ID || !bytes.Equal(got[1].Body, dropped[0].Body) {
		t.Fatalf("redelivery: %d requests, delivery id %q", len(got), got[len(got)-1].Delivery)
	}
	if n := f.Count("webhook_deliveries", ""); n != 1 {
		t.Fatalf("%d delivery rows for one sale and event", n)
	}
}
