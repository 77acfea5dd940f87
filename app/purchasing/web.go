package purchasing

import "backroom/app/server"

func (s *Service) mountWeb(rt server.Routes) {}
