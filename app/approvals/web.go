package approvals

import "backroom/app/server"

// Mount adds GET /api/v1/approvals and the /approvals page.
func (s *Service) Mount(rt server.Routes) {
	rt.API.GET("/approvals", server.Require(purchasingApprove, worksheetsApprove), s.apiList)
	s.mountWeb(rt)
}
