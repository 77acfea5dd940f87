package webhook_test

import (
	"testing"

	"backroom/app/apptest"
	"backroom/app/sales/salestest"
)

// A server killed while its deliveries were being sent leaves their River jobs "running" with a
// worker that no longer exists. The next process to start (and every minute after) puts them
// back within two minutes instead of River's fifteen, and the receiver gets each event; a job
// that is merely in the middle of its attempt is left alone.
func TestDeliveriesOfAKilledWorkerAreRescued(t *testing.T) {
	f := salestest.NewWith(t, apptest.Options{})
	f.App.App.Webhooks.SetRetry(fast)
	recv := newReceiver(t)
	addHook(t, f, "Shop", recv.srv.URL, "", nil)

	lost := f.Sell(f.Admin, seedSale(f, "R-LOST"))
	busy := f.Sell(f.Admin, seedSale(f, "R-BUSY"))
	// What SIGKILL leaves behind: the jobs were fetched (attempt 1, running) by a client that is gone.
	for receipt, startedAgo := range map[string]string{"R-LOST": "5 minutes", "R-BUSY": "5 seconds"} {
		res := f.DB.Exec(`UPDATE river_job j SET state = 'running', attempt = 1, attempted_at = now() - ?::interval,
			attempted_by = ARRAY['killed-client']
			FROM webhook_deliveries d WHERE j.kind = 'webhook_delivery' AND (j.args->>'deliveryId')::uuid = d.id AND d.receipt_number = ?`, startedAgo, receipt)
		if res.Error != nil || res.RowsAffected != 2 {
			t.Fatalf("mark %s's jobs running: %v, %d rows", receipt, res.Error, res.RowsAffected)
		}
	}
	f.StartJobs()
	f.Eventually("the lost sale's events delivered", func() bool {
		return f.Count("webhook_deliveries", "sale_id = ? AND status = 'delivered'", lost.ID) == 2
	})
	got := recv.requests()
	if len(got) != 2 || got[0].Event != "validated" || got[1].Event != "terminated" {
		t.Fatalf("receiver got %v, want validated then terminated of the lost sale only", events(got))
	}
	if n := f.Count("river_job", "kind = 'webhook_delivery' AND state = 'running' AND attempted_by = ARRAY['killed-client']"); n != 2 {
		t.Fatalf("%d jobs of the sale still in its attempt are running, want 2 (left alone)", n)
	}
	if n := f.Count("webhook_deliveries", "sale_id = ? AND status = 'pending'", busy.ID); n != 2 {
		t.Fatalf("the busy sale's deliveries: %d pending, want 2", n)
	}
	if n := f.Count("river_job", "kind = 'webhook_delivery' AND errors::text LIKE '%rescued: the worker stopped%'"); n != 2 {
		t.Fatalf("%d rescued jobs carry the rescue note, want 2", n)
	}
}
