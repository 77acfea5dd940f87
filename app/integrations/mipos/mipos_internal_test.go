package mipos

import (
	"strings"
	"testing"
)

// The seed's example signature (7c38c67a…ff61 for its body example and client secret
// 9468da7c…48c5) could not be reproduced: the exact bytes the hub signed are not given (the
// pretty-printed, compact, key-sorted and field-subset forms of both body examples were tried).
// Sign is therefore checked against the published HMAC-SHA256 vector instead.
func TestSignIsHexHMACSHA256(t *testing.T) {
	body := []byte("The quick brown fox jumps over the lazy dog")
	const want = "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
	if got := Sign("key", body); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	if !validSignature("key", body, want) || !validSignature("key", body, strings.ToUpper(want)) {
		t.Fatal("a correct signature is refused")
	}
	for _, bad := range []string{"", "zz", want[:62], Sign("other", body)} {
		if validSignature("key", body, bad) {
			t.Fatalf("signature %q accepted", bad)
		}
	}
	if validSignature("", body, Sign("", body)) {
		t.Fatal("an integration without a client secret accepts webhooks")
	}
}

func TestHubMessagesAreKeptVerbatim(t *testing.T) {
	tests := []struct {
		body string
		want []string
	}{
		{`{"message":["The item cost must be a string.","Item supplier external id (x) not found in suppliers array"],"data":null}`,
			[]string{"The item cost must be a string.", "Item supplier external id (x) not found in suppliers array"}},
		{`{"units":["The units field is required."],"inventory_system_id":["The inventory system id field is required.","The inventory system id must be a string."]}`,
			[]string{"inventory_system_id: The inventory system id field is required.", "inventory_system_id: The inventory system id must be a string.", "units: The units field is required."}},
		{`{"message":"Unauthenticated."}`, []string{"Unauthenticated."}},
		{`<html>Bad gateway</html>`, []string{"<html>Bad gateway</html>"}},
		{``, nil},
	}
	for _, tt := range tests {
		if got := hubMessages([]byte(tt.body)); strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("hubMessages(%s) = %q, want %q", tt.body, got, tt.want)
		}
	}
	e := &HubError{Status: 409, Messages: []string{"You don't have this store available."}}
	if e.Error() != "miPOS answered 409: You don't have this store available." || !e.permanent() {
		t.Fatalf("HubError = %q permanent=%v", e.Error(), e.permanent())
	}
	for _, s := range []int{401, 429, 500, 503} {
		if (&HubError{Status: s}).permanent() {
			t.Errorf("%d treated as permanent; it is worth retrying", s)
		}
	}
}

func TestParseMovement(t *testing.T) {
	tests := []struct {
		body    string
		sku     string
		delta   int64
		problem string
	}{
		{`{"external_id":"A1","quantity":"1.25","movement_type":2}`, "A1", -1250, ""},
		{`{"external_id":"A1","quantity":"2","movement_type":1}`, "A1", 2000, ""},
		{`{"external_id":"A1","quantity":0.5,"movement_type":"1"}`, "A1", 500, ""},
		{`{"external_id":"A1","quantity":"1.2345","movement_type":1}`, "", 0, "at most three decimals"},
		{`{"external_id":"A1","quantity":"-1","movement_type":1}`, "", 0, "greater than zero"},
		{`{"external_id":"A1","quantity":"1","movement_type":3}`, "", 0, "movement type is invalid"},
		{`{"external_id":"A1","quantity":"1"}`, "", 0, "movement type field is required"},
		{`{"external_id":7,"quantity":"1","movement_type":1}`, "", 0, "external id"},
		{`[1,2]`, "", 0, "not a JSON object"},
	}
	for _, tt := range tests {
		sku, delta, problem := parseMovement([]byte(tt.body))
		if sku != tt.sku || delta != tt.delta || !strings.Contains(problem, tt.problem) || (tt.problem == "" && problem != "") {
			t.Errorf("parseMovement(%s) = %q %d %q", tt.body, sku, delta, problem)
		}
	}
}

func TestStockBackoff(t *testing.T) {
	if stockBackoff(1).Seconds() != 30 || stockBackoff(2).Seconds() != 60 || stockBackoff(20).Hours() != 1 {
		t.Fatalf("backoff = %v %v %v", stockBackoff(1), stockBackoff(2), stockBackoff(20))
	}
}
