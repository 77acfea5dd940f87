package router

import (
	"backroom/app/auth"
	"backroom/app/server"
)

// navigation lists the sidebar areas that exist; an area appears once it is built.
var navigation = []server.Nav{
	{Key: "home", Label: "Dashboard", Href: "/"},
}

// tileText describes each area on the dashboard.
var tileText = map[string]string{}

// mountAreas mounts every area's pages and API.
func mountAreas(rt server.Routes, d Deps, authSvc *auth.Service) {
}
