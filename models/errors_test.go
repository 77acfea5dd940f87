package models_test

import (
	"errors"
	"reflect"
	"testing"

	"backroom/models"
)

func TestErrorMergeShowsEveryProblemTogether(t *testing.T) {
	e := models.Invalid().Add("code", "enter a SKU or barcode")
	if err := e.Merge(models.Invalid().Add("quantity", "enter a quantity").Add("code", "is too long").Err()); err != nil {
		t.Fatalf("merging a validation error: %v", err)
	}
	if err := e.Merge(nil); err != nil {
		t.Fatalf("merging nil: %v", err)
	}
	want := map[string][]string{"code": {"enter a SKU or barcode", "is too long"}, "quantity": {"enter a quantity"}}
	if !reflect.DeepEqual(e.Fields, want) {
		t.Errorf("fields %v, want %v", e.Fields, want)
	}
	if got := e.Err().Error(); got != "Please correct the highlighted fields (code: enter a SKU or barcode; is too long, quantity: enter a quantity)" {
		t.Errorf("message %q", got)
	}
	other := errors.New("connection refused")
	if err := models.Invalid().Merge(other); err != other {
		t.Errorf("a failure that is not a validation error came back as %v", err)
	}
	if err := models.Invalid().Merge(models.NotFound("product")); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("a not-found came back as %v", err)
	}
}
