package storesync

import (
	"testing"

	"backroom/models"
)

// TestRefusalText: the reason kept in the error queue names each field's problem once, in
// field order, whether or not the error's message already lists them.
func TestRefusalText(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"a validation error, whose message lists its fields",
			models.Invalid().Add("payments[0].method", "tender VOUCHER is not active").Add("items[0].quantity", "must not be zero").Err(),
			"Please correct the highlighted fields (items[0].quantity: must not be zero, payments[0].method: tender VOUCHER is not active)"},
		{"a message of its own with fields",
			&models.Error{Kind: models.ErrConflict, Message: "SKU A-1 is already used", Fields: map[string][]string{"sku": {"is already used"}, "barcode": {"is already used"}}},
			"SKU A-1 is already used (barcode: is already used, sku: is already used)"},
		{"no fields", models.Conflict("sale is already voided"), "sale is already voided"},
	} {
		if got := refusalText(c.err); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
