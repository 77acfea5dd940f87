package server_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"backroom/app/server"
)

// A transaction PostgreSQL failed because of a concurrent one (a deadlock it broke, a
// serialization failure) wrote nothing and may be sent again: it answers 409, not 500, however
// deep the services wrapped it.
func TestConcurrencyFailuresAreConflicts(t *testing.T) {
	for code, want := range map[string]int{
		"40P01": http.StatusConflict,            // deadlock_detected
		"40001": http.StatusConflict,            // serialization_failure
		"42P01": http.StatusInternalServerError, // undefined_table: a real fault
	} {
		err := fmt.Errorf("move stock: %w", fmt.Errorf("record movement: %w", &pgconn.PgError{Code: code, Message: "x"}))
		if got := server.Status(err); got != want {
			t.Errorf("SQLSTATE %s: status %d, want %d", code, got, want)
		}
	}
}
