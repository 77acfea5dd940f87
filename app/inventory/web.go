package inventory

import "github.com/gin-gonic/gin"

func (s *Service) mountWeb(g *gin.RouterGroup) {}
