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
	id, err := s.tokens.Parse(strings.TrimSpace(token))
	if err != nil {
		server.Fail(c, models.Unauthorized(err.Error()))
		return
	}
	actor, err := models.LoadActor(c.Request.Context(), s.db, id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.SetActor(c, actor)
	c.Next()
}

const sessionUserKey = "userID"

// RequireSession authenticates page requests by the web session; signed-out visitors go to
// /login and come back afterwards.
func (s *Service) RequireSession(c *gin.Context) {
	if s.loadSessionActor(c) {
		c.Next()
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
	if err != nil {
		_ = sm.Destroy(c.Request.Context())
		return false
	}
	server.SetActor(c, actor)
	return true
}
