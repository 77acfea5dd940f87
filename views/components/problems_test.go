package components

import (
	"strings"
	"testing"

	"backroom/models"
)

func TestProblemsNameLabelsAndLines(t *testing.T) {
	errs := Errors{
		"items[1].newSellPrice":  {"is required"},
		"items[0].newCostPrice":  {"cost is the same at every store"},
		"items[0].newTaxGroupId": {"is required"},
		"reason":                 {"say why"},
	}
	got := Problems(errs, map[string]string{"newSellPrice": "New sell price", "reason": "Reason for rejecting"})
	var s []string
	for _, p := range got {
		s = append(s, p.String())
	}
	want := "Reason for rejecting: say why|Line 1: New cost price: cost is the same at every store|Line 1: New tax group is required|Line 2: New sell price is required"
	if strings.Join(s, "|") != want {
		t.Fatalf("got %q", strings.Join(s, "|"))
	}
	if got[3].Field != "newSellPrice" || got[3].Line != 2 {
		t.Fatalf("problem %+v", got[3])
	}
}

func TestRefusalOfCutsThePaths(t *testing.T) {
	e := models.Invalid().Add("items[0].newSellPrice", "is required")
	err := e.Err()
	e.Message = "Some lines are incomplete: " + e.Message
	r := RefusalOf(err, "", nil)
	if r.Message != "Some lines are incomplete." || strings.Contains(r.Text(), "items[") || strings.Contains(r.Text(), "newSellPrice") {
		t.Fatalf("refusal %+v", r)
	}
	if r.Lines(1)["newSellPrice"][0] != "New sell price is required" {
		t.Fatalf("line 1 %v", r.Lines(1))
	}
	if RefusalOf(models.Conflict("already applied"), "already applied", nil).Message != "already applied" {
		t.Fatal("conflict message lost")
	}
}
