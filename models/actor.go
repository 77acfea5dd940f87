package models

import (
	"context"
	"fmt"
	"sort"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Actor is the signed-in user as every service sees it: who they are and what they may do where.
// Permissions from an HQ-wide role apply at every store; a store role applies at that store only.
type Actor struct {
	UserID          uuid.UUID
	Username        string
	DisplayName     string
	CredentialEpoch int                           // the user's credential epoch when loaded
	HQ              map[string]bool               // permissions of the HQ-wide role
	Stores          map[uuid.UUID]map[string]bool // permissions per store role
}

// System is the actor for work nobody signed in for (seeding, scheduled jobs).
var System = Actor{Username: "system", HQ: allPermissions()}

func allPermissions() map[string]bool {
	m := map[string]bool{}
	for _, p := range Permissions {
		m[p.Code] = true
	}
	return m
}

// UserRef is the actor's user id for a nullable "by" column: nil for System, which is no user.
func (a Actor) UserRef() *uuid.UUID {
	if a.UserID == uuid.Nil {
		return nil
	}
	id := a.UserID
	return &id
}

// Can reports whether the actor holds perm anywhere (HQ-wide or at any store).
func (a Actor) Can(perm string) bool {
	if a.HQ[perm] {
		return true
	}
	for _, perms := range a.Stores {
		if perms[perm] {
			return true
		}
	}
	return false
}

// CanAt reports whether the actor holds perm at the given store.
func (a Actor) CanAt(perm string, storeID uuid.UUID) bool {
	return a.HQ[perm] || a.Stores[storeID][perm]
}

// IsHQ reports whether the actor has an HQ-wide role.
func (a Actor) IsHQ() bool { return a.HQ != nil }

// Scope returns the stores where the actor holds perm: all=true for an HQ-wide grant, else the
// list (possibly empty). Store-scoped lists filter with it so a store user sees only their stores.
func (a Actor) Scope(perm string) (all bool, stores []uuid.UUID) {
	if a.HQ[perm] {
		return true, nil
	}
	for id, perms := range a.Stores {
		if perms[perm] {
			stores = append(stores, id)
		}
	}
	sort.Slice(stores, func(i, j int) bool { return stores[i].String() < stores[j].String() })
	return false, stores
}

// ScopeQuery restricts q to rows whose column (a store id) the actor may see for perm.
func (a Actor) ScopeQuery(q *gorm.DB, perm, column string) *gorm.DB {
	all, stores := a.Scope(perm)
	if all {
		return q
	}
	if len(stores) == 0 {
		return q.Where("false")
	}
	return q.Where(column+" IN ?", stores)
}

// PermissionList is the sorted union of every permission the actor holds.
func (a Actor) PermissionList() []string {
	set := map[string]bool{}
	for p := range a.HQ {
		set[p] = true
	}
	for _, perms := range a.Stores {
		for p := range perms {
			set[p] = true
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// LoadActor reads an active user's roles into an Actor. An inactive or unknown user is
// ErrUnauthorized: their tokens and sessions stop working at once.
func LoadActor(ctx context.Context, db *gorm.DB, userID uuid.UUID) (Actor, error) {
	var u User
	err := db.WithContext(ctx).Preload("Roles.Role").Where("id = ? AND is_active", userID).Take(&u).Error
	if err != nil {
		if NotFoundIf(err, "user") != err {
			return Actor{}, Unauthorized("your account is not active")
		}
		return Actor{}, fmt.Errorf("load actor %s: %w", userID, err)
	}
	return ActorOf(u), nil
}

// ActorOf builds an Actor from a user whose Roles (with Role) are loaded.
func ActorOf(u User) Actor {
	a := Actor{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, CredentialEpoch: u.CredentialEpoch, Stores: map[uuid.UUID]map[string]bool{}}
	for _, r := range u.Roles {
		if r.Role == nil {
			continue
		}
		perms := map[string]bool{}
		for _, p := range r.Role.Permissions {
			perms[p] = true
		}
		if r.StoreID == nil {
			a.HQ = perms
		} else {
			a.Stores[*r.StoreID] = perms
		}
	}
	return a
}
