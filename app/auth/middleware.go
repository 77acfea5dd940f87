package auth

import (
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/server"
	"backroom/models"
)

// RequireToken authenticates API requests by `Authorization: Bearer <access token>` and loads
// the actor (so a deactivated user or a changed role takes effect at once).
func (s *Service) RequireToken(c *gin.Context) {
	h := c.GetHeader("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || token == "" {
		server.Fail(c, models.Unauthorized("missing bearer token"))
		return
	}
	claims, err := s.tokens.Parse(strings.TrimSpace(token))
	if err != nil {
		server.Fail(c, models.Unauthorized(err.Error()))
		return
	}
	actor, err := models.LoadActor(c.Request.Context(), s.db, claims.UserID)
	if err != nil {
		server.Fail(c, err)
		return
	}
	if actor.CredentialEpoch != claims.Epoch {
		server.Fail(c, errCredentialsChanged)
		return
	}
	revoked, err := s.familyRevoked(c.Request.Context(), claims.Family)
	if err != nil {
		server.Fail(c, err)
		return
	}
	if revoked {
		server.Fail(c, models.Unauthorized("this sign-in has ended; sign in again"))
		return
	}
	server.SetActor(c, actor)
	c.Set(familyKey, claims.Family)
	c.Next()
}

var errCredentialsChanged = models.Unauthorized("your PIN or password has changed; sign in again")

const (
	familyKey       = "auth.family" // the bearer token's sign-in, for logout
	sessionUserKey  = "userID"
	sessionEpochKey = "credentialEpoch"
)

// RequireSession authenticates page requests by the web session; signed-out visitors go to
// /login and come back afterwards.
func (s *Service) RequireSession(c *gin.Context) {
	if s.loadSessionActor(c) {
		c.Next()
		return
	}
	if c.IsAborted() { // answered already (the database is unreachable)
		return
	}
	server.RedirectToLogin(c)
	c.Abort()
}

// OptionalSession loads the actor when signed in, for pages anyone may see.
func (s *Service) OptionalSession(c *gin.Context) {
	s.loadSessionActor(c)
	c.Next()
}

func (s *Service) loadSessionActor(c *gin.Context) bool {
	sm := server.Sessions(c)
	raw := sm.GetString(c.Request.Context(), sessionUserKey)
	if raw == "" {
		return false
	}
	id, err := uuid.Parse(raw)
	if err != nil {
		return false
	}
	actor, err := models.LoadActor(c.Request.Context(), s.db, id)
	if models.IsUnavailable(err) {
		server.Fail(c, err) // the session may be fine: keep it, and say the database is away
		return false
	}
	if err != nil || actor.CredentialEpoch != sm.GetInt(c.Request.Context(), sessionEpochKey) {
		_ = sm.Destroy(c.Request.Context())
		return false
	}
	server.SetActor(c, actor)
	return true
}
