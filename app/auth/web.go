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
	// The one field takes a password or a PIN: a 4–8 digit value is tried as both, counted once.
	device := ""
	if ck, err := c.Request.Cookie(deviceCookie); err == nil {
		device = ck.Value
	}
	u, err := s.Authenticate(c.Request.Context(), SignIn{Username: username, Secret: secret, Device: device, Addr: c.ClientIP()})
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
	sm.Put(c.Request.Context(), sessionEpochKey, u.CredentialEpoch)
	server.RotateCSRF(c)
	// The browser is now known for this username: another person's wrong guesses slow the
	// username down everywhere but here.
	http.SetCookie(c.Writer, &http.Cookie{Name: deviceCookie, Value: s.DeviceToken(u.Username), Path: "/login",
		MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: sm.Cookie.Secure, SameSite: http.SameSiteLaxMode})
	s.db.WithContext(c.Request.Context()).Model(&models.User{}).Where("id = ?", u.ID).Update("last_login_at", gormNow())
	server.Flash(c, "success", "Welcome, "+u.DisplayName+".")
	server.Redirect(c, server.SafeNext(form.Next))
}

// deviceCookie holds the device token of the last username that signed in from this browser.
const deviceCookie = "backroom_device"

func (s *Service) logout(c *gin.Context) {
	if err := server.Sessions(c).Destroy(c.Request.Context()); err != nil {
		server.Fail(c, err)
		return
	}
	server.Redirect(c, "/login")
}
