package auth

import (
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/server"
)

// MountAPI adds the /auth endpoints: public ones on public, token-protected ones on private.
func (s *Service) MountAPI(public, private *gin.RouterGroup) {
	public.POST("/auth/login", s.apiLogin)
	public.POST("/auth/pin-login", s.apiPinLogin)
	public.POST("/auth/refresh", s.apiRefresh)
	private.GET("/auth/me", s.apiMe)
	private.POST("/auth/change-credential", s.apiChangeCredential)
	private.POST("/auth/logout", s.apiLogout)
}

func (s *Service) apiLogin(c *gin.Context) {
	var in LoginInput
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	sess, err := s.Login(c.Request.Context(), in, c.ClientIP())
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, sess)
}

// PinLoginInput is the body of POST /api/v1/auth/pin-login.
type PinLoginInput struct {
	Pin string `json:"pin" validate:"required,max=8"`
}

func (s *Service) apiPinLogin(c *gin.Context) {
	var in PinLoginInput
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	sess, err := s.PinLogin(c.Request.Context(), in.Pin, c.ClientIP())
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, sess)
}

// RefreshInput is the body of POST /api/v1/auth/refresh.
type RefreshInput struct {
	RefreshToken string `json:"refreshToken" validate:"required,max=200"`
}

func (s *Service) apiRefresh(c *gin.Context) {
	var in RefreshInput
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	sess, err := s.Refresh(c.Request.Context(), in.RefreshToken)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, sess)
}

func (s *Service) apiMe(c *gin.Context) {
	me, err := s.WhoAmI(c.Request.Context(), server.Actor(c))
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, me)
}

func (s *Service) apiChangeCredential(c *gin.Context) {
	var in ChangeCredentialInput
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	sess, err := s.ChangeCredential(c.Request.Context(), server.Actor(c), in, c.ClientIP())
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, gin.H{"changed": true, "session": sess})
}

// apiLogout ends the sign-in the bearer token belongs to: its refresh token and every access
// token issued with it stop working.
func (s *Service) apiLogout(c *gin.Context) {
	if err := s.Logout(c.Request.Context(), c.MustGet(familyKey).(uuid.UUID)); err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, gin.H{"signedOut": true})
}
