package codemax_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"backroom/app/integrations/codemax"
	"backroom/models"
)

// stopAtSecondSync is a transport that stops the run (cancels its context, as a job time-out or
// a worker shutting down does) at the second sync call: before the call leaves (reach false)
// or after Codemax has answered it (reach true).
type stopAtSecondSync struct {
	reach  bool
	cancel atomic.Pointer[context.CancelFunc]
	syncs  atomic.Int32
}

func (s *stopAtSecondSync) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path != syncPath || s.syncs.Add(1) != 2 {
		return http.DefaultTransport.RoundTrip(req)
	}
	stop := *s.cancel.Load()
	if !s.reach {
		stop()
		return nil, errors.New("the run was stopped before the call left")
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	stop() // Codemax has the batch; the run is stopped as the answer comes back
	return res, nil
}

// runStopped runs e's integration with a context the transport cancels at the second sync call.
func (e *env) runStopped(tr *stopAtSecondSync) models.IntegrationRun {
	e.t.Helper()
	r, err := e.app.App.Integrations.StartRun(context.Background(), models.System, e.integID, models.TriggerManual)
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr.cancel.Store(&cancel)
	_ = e.app.App.Integrations.Run(ctx, r.ID)
	var row models.IntegrationRun
	if err := e.app.DB.Take(&row, "id = ?", r.ID).Error; err != nil {
		e.t.Fatal(err)
	}
	return row
}

// A run stopped after its first batch went (a job time-out, a deploy): the next run sends the
// rest and never the first batch again.
func TestStoppedRunDoesNotResendItsFirstBatch(t *testing.T) {
	tr := &stopAtSecondSync{}
	e := setup(t, codemax.Options{Client: &http.Client{Transport: tr}}, nil)
	e.sellMany(45)
	r := e.runStopped(tr)
	if r.Status != models.RunFailed || r.Sent != 20 {
		t.Fatalf("stopped run = %s sent %d (%q), want failed with 20 sent", r.Status, r.Sent, r.Message)
	}
	if n := e.app.Count("codemax_invoices", "status = 'sent'"); n != 20 {
		t.Fatalf("%d outbox rows sent after the first batch", n)
	}
	if n := e.app.Count("codemax_invoices", "status = 'sending'"); n != 0 {
		t.Fatalf("%d outbox rows left claimed by the stopped run", n)
	}
	expectRun(t, e.run(), models.RunSucceeded, 25, 25, 0)
	onceEach(t, e.fake.Invoices(), false, receipts(45)...)
}

// A run stopped just as Codemax accepted its second batch: that batch is settled as sent, not
// given back to be sent again by the next run.
func TestBatchAcceptedAsTheRunStopsIsNotResent(t *testing.T) {
	tr := &stopAtSecondSync{reach: true}
	e := setup(t, codemax.Options{Client: &http.Client{Transport: tr}}, nil)
	e.sellMany(45)
	r := e.runStopped(tr)
	if r.Status != models.RunFailed || r.Sent != 40 {
		t.Fatalf("stopped run = %s sent %d (%q), want failed with 40 sent", r.Status, r.Sent, r.Message)
	}
	if n := e.app.Count("codemax_invoices", "status = 'sent'"); n != 40 {
		t.Fatalf("%d outbox rows sent after two accepted batches", n)
	}
	expectRun(t, e.run(), models.RunSucceeded, 5, 5, 0)
	onceEach(t, e.fake.Invoices(), false, receipts(45)...)
}
