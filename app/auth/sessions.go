package auth

import (
	"encoding/gob"
	"net/http"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5/pgxpool"

	"backroom/views/layout"
)

// NewSessions stores web sessions in PostgreSQL so any app instance can serve any request.
// Cookies are HttpOnly, SameSite=Lax, and Secure in production.
func NewSessions(pool *pgxpool.Pool, secure bool) *scs.SessionManager {
	// Flashes travel in the session; scs encodes it with encoding/gob, which must know their type.
	// Registering the same type again (every engine a test builds) is a no-op.
	gob.Register([]layout.Flash{})
	s := scs.New()
	s.Store = hashedStore{pgxstore.NewWithCleanupInterval(pool, 30*time.Minute)}
	s.Lifetime = 12 * time.Hour
	s.IdleTimeout = 4 * time.Hour
	s.Cookie.Name = "backroom_session"
	s.Cookie.HttpOnly = true
	s.Cookie.SameSite = http.SameSiteLaxMode
	s.Cookie.Secure = secure
	s.Cookie.Path = "/"
	return s
}

// hashedStore keeps sessions under the SHA-256 of their token, so a copy of the sessions table
// (a backup, a read replica, a leaked dump) holds no cookie anyone could sign in with.
type hashedStore struct{ inner scs.Store }

func (h hashedStore) Find(token string) ([]byte, bool, error) { return h.inner.Find(hashToken(token)) }
func (h hashedStore) Delete(token string) error               { return h.inner.Delete(hashToken(token)) }
func (h hashedStore) Commit(token string, b []byte, expiry time.Time) error {
	return h.inner.Commit(hashToken(token), b, expiry)
}
