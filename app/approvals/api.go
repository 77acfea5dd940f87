package approvals

import (
	"github.com/gin-gonic/gin"

	"backroom/app/server"
)

func (s *Service) apiList(c *gin.Context) {
	w, err := s.List(c.Request.Context(), server.Actor(c))
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, w)
}
