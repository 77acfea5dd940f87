package sales

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/uuid"

	"backroom/models"
)

// Any body posted to POST /api/v1/sales is decoded, validated and its ids read without a panic:
// it is refused with field errors or yields ids for every line.
func FuzzSaleBody(f *testing.F) {
	for _, s := range []string{
		`{"receiptNumber":"R1","storeId":"01a23eee-277e-77f8-940f-85c5f67fd38c","items":[{"productId":"01a23eee-277e-77f8-940f-85c5f67fd38d","quantity":1000,"unitPrice":999}],"payments":[{"paymentMethodId":"CASH","amount":999}]}`,
		`{"items":[{}],"payments":[{}]}`, `{"items":"x"}`, `{"storeId":"nope","items":[{"productId":"zz","quantity":-1,"taxes":[{"rate":-5}]}]}`,
		`{"soldAt":"2026-02-30T00:00:00Z"}`, `{}`, `[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in SaleInput
		if err := json.Unmarshal(body, &in); err != nil {
			return
		}
		ids, verr := in.parse()
		if err := verr.Err(); err != nil {
			var e *models.Error
			if !errors.As(err, &e) || len(e.Fields) == 0 {
				t.Fatalf("refused %q without naming a field: %v", body, err)
			}
			return
		}
		if ids.store == nil || len(ids.products) != len(in.Items) || len(in.Items) == 0 {
			t.Fatalf("accepted %q with store %v and %d product ids for %d items", body, ids.store, len(ids.products), len(in.Items))
		}
		for i, p := range ids.products {
			if p == uuid.Nil {
				t.Fatalf("accepted item %d with no product id: %q", i, body)
			}
		}
	})
}
