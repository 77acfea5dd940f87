package auth

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"backroom/app/server"
	"backroom/models"
	authviews "backroom/views/auth"
)

// MountWeb adds /login (public) and /logout (signed in).
func (s *Service) MountWeb(public, private *gin.RouterGroup) {
	public.GET("/login", s.OptionalSession, s.loginPage)
	public.POST("/login", s.loginSubmit)
	private.POST("/logout", s.logout)
}

func (s *Service) loginPage(c *gin.Context) {
	if _, ok := server.ActorOf(c); ok {
		server.Redirect(c, server.SafeNext(c.Query("next")))
		return
	}
	server.Render(c, http.StatusOK, authviews.Login(server.PageOf(c, "Sign in", ""), authviews.LoginForm{Next: c.Query("next")}))
}

func (s *Service) loginSubmit(c *gin.Context) {
	username := strings.TrimSpace(c.PostForm("username"))
	secret := c.PostForm("password")
	form := authviews.LoginForm{Username: username, Next: c.PostForm("next")}
	if username == "" || secret == "" {
		form.Error = "Enter your username and your password or PIN."
		server.Render(c, http.StatusUnprocessableEntity, authviews.Login(server.PageOf(c, "Sign in", ""), form))
		return
	}
	// The one field takes a password or a PIN: a 4–8 digit value is tried as the PIN first.
	pin, password := "", secret
	if CheckPIN(secret) == nil {
		pin = secret
	}
	u, err := s.Authenticate(c.Request.Context(), username, pin, password, c.ClientIP())
	if err != nil && pin != "" && server.Status(err) == http.StatusUnauthorized {
		u, err = s.Authenticate(c.Request.Context(), username, "", password, c.ClientIP())
	}
	if err != nil {
		status := server.Status(err)
		if status != http.StatusUnauthorized && status != http.StatusTooManyRequests {
			server.Fail(c, err)
			return
		}
		form.Error = server.Message(err)
		if status == http.StatusUnauthorized {
			form.Error = "Username or password is incorrect."
		}
		server.Render(c, status, authviews.Login(server.PageOf(c, "Sign in", ""), form))
		return
	}
	sm := server.Sessions(c)
	// A new session token on sign-in defeats session fixation.
	if err := sm.RenewToken(c.Request.Context()); err != nil {
		server.Fail(c, err)
		return
	}
	sm.Put(c.Request.Context(), sessionUserKey, u.ID.String())
	s.db.WithContext(c.Request.Context()).Model(&models.User{}).Where("id = ?", u.ID).Update("last_login_at", gormNow())
	server.Flash(c, "success", "Welcome, "+u.DisplayName+".")
	server.Redirect(c, server.SafeNext(form.Next))
}

func (s *Service) logout(c *gin.Context) {
	if err := server.Sessions(c).Destroy(c.Request.Context()); err != nil {
		server.Fail(c, err)
		return
	}
	server.Redirect(c, "/login")
}
