// Package admin runs the chain's administration: users and their role per store, roles and
// their permissions, and stores. It holds the rules; api.go and web.go only translate HTTP.
package admin

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/app/auth"
	"backroom/models"
)

// Service holds administration rules. It knows nothing of HTTP.
type Service struct {
	db       *gorm.DB
	hasher   *auth.Hasher
	throttle *auth.Throttle
}

// New builds the administration service. hasher is sign-in's (its PIN key makes PINs set here
// findable by PIN sign-in and unique system-wide, and its bound covers hashing here too);
// throttle counts PINs refused as taken against whoever set them.
func New(db *gorm.DB, hasher *auth.Hasher, throttle *auth.Throttle) *Service {
	return &Service{db: db, hasher: hasher, throttle: throttle}
}

// adminPerms are the rights that let someone repair users and roles. Nobody may take them away
// from themselves: with no one left holding them, only the database could undo the mistake.
var adminPerms = []string{"users.edit", "roles.manage"}

// likePattern turns a search term into a case-insensitive contains pattern with LIKE's wildcards
// escaped, so "50%" finds "50%" and not everything.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.TrimSpace(s)) + "%"
}

// permsAt is what the actor may do at a store: its HQ-wide grants plus that store's role. A nil
// store means HQ-wide only.
func permsAt(a models.Actor, store *uuid.UUID) map[string]bool {
	out := map[string]bool{}
	for p, ok := range a.HQ {
		if ok {
			out[p] = true
		}
	}
	if store != nil {
		for p, ok := range a.Stores[*store] {
			if ok {
				out[p] = true
			}
		}
	}
	return out
}

// canAt reports whether the actor holds perm at store, or HQ-wide when store is nil.
func canAt(a models.Actor, perm string, store *uuid.UUID) bool {
	if store == nil {
		return a.HQ[perm]
	}
	return a.CanAt(perm, *store)
}

func (s *Service) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.db.WithContext(ctx).Transaction(fn)
}
