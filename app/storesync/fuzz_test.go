package storesync

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"backroom/app/server"
	"backroom/models"
)

// Any body posted to POST /api/v1/sync/push is decoded and validated without a panic: it is
// refused with a message meant for the store, or accepted with 1 to 500 items that each have a
// type and an id; an item's payload hashes the same however it is spaced, and decoding it as
// any item type is refused cleanly or succeeds.
func FuzzPushBody(f *testing.F) {
	for _, s := range []string{
		`{"batchId":"b1","items":[{"type":"sale","id":"s-1","payload":{"id":"01a23eee-277e-77f8-940f-85c5f67fd38c","receiptNumber":"R1","items":[]}}]}`,
		`{"items":[{"type":"customer","id":"c","payload":{"id":"x"}}]}`, `{"items":[]}`, `{"items":[{}]}`, `{"items":"x"}`,
		`{"items":[{"type":"register_session","id":"r","payload":{"openedAt":"2026-02-30T00:00:00Z"}}]}`,
		`{"items":[{"type":"stock_count","id":"k","payload":{"lines":[{"productId":"zz","delta":"1"}]}}]}`, `[]`, `{}`, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in PushInput
		if err := server.DecodeJSON(bytes.NewReader(body), &in); err == nil {
			err = models.Validate(in)
			if err == nil {
				if len(in.Items) == 0 || len(in.Items) > MaxPushItems {
					t.Fatalf("accepted %d items: %q", len(in.Items), body)
				}
			}
			if err != nil {
				var e *models.Error
				if !errors.As(err, &e) || e.Message == "" {
					t.Fatalf("refused %q without a message: %v", body, err)
				}
				return
			}
		} else {
			var e *models.Error
			if !errors.As(err, &e) {
				t.Fatalf("a malformed body gave %v, not a refusal", err)
			}
			return
		}
		for _, it := range in.Items {
			if it.Type == "" || it.ID == "" || len(it.ID) > 100 {
				t.Fatalf("accepted item %+v", it)
			}
			h, compact := payloadHash(it.Payload)
			var spaced bytes.Buffer
			if json.Indent(&spaced, compact, "", "  ") == nil {
				if again, _ := payloadHash(spaced.Bytes()); again != h {
					t.Fatalf("the payload %s hashes differently when indented", compact)
				}
			}
			for _, v := range []any{&sessionItem{}, &countItem{}, &transferItem{}} {
				if err := decode(compact, v); err != nil && !errors.Is(err, models.ErrBadRequest) {
					t.Fatalf("decoding %s as %T: %v", compact, v, err)
				}
			}
		}
	})
}
