package app_test

// These tests read the code itself (go/packages, go/types), not the running app. They hold two
// rules of the composition root in place:
//
// No package-level mutable state in app/. In a non-test .go file under app/, a package-level var
// is allowed only when it is never written (below) and it is one of:
//   - `_` (a compile-time check such as var _ I = (*T)(nil));
//   - a sentinel error: its type implements error;
//   - a compiled pattern: its type is *regexp.Regexp (safe for concurrent use; never call its
//     Longest method, which changes it);
//   - a table: its type is a map, slice, array, struct or basic type (not a pointer, func, channel
//     or interface) holding no sync or sync/atomic value, and its initializer is a composite
//     literal or, for a table computed from others once at start-up, the var's doc comment has
//     the line "table: never written".
//
// "Never written" is checked over the whole module, tests included: nowhere is the var, or
// anything reached from it by indexing, field selection, slicing or dereference, the target of =,
// op=, ++, --, a range assignment, &, delete, clear, or the first argument of append or copy; nor
// is a pointer-receiver method called on it. What a function does with a table handed to it is
// not followed: hand tables only to code that reads them. Package app/ has no init functions
// either (that is where registries get filled). State that must change lives in a value that
// app.New builds and passes to whoever uses it.
//
// backroom worker builds no HTTP engine: no static call path from cmd/backroom's worker reaches
// the functions that build one (server.New, router.New, gin.New, gin.Default).

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/go/packages"
)

const module = "backroom"

// code is the module, loaded once for both tests: the packages as built (no test files) and
// every package variant with its tests (for the writes).
type code struct {
	fset  *token.FileSet
	plain []*packages.Package // the packages as built, without test files
	all   []*packages.Package // every package and test variant
	err   error
}

var (
	loadOnce sync.Once
	loaded   code
)

func load(t *testing.T) *code {
	t.Helper()
	loadOnce.Do(func() {
		root, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
		if err != nil {
			loaded.err = fmt.Errorf("go list -m: %w", err)
			return
		}
		loaded.fset = token.NewFileSet()
		cfg := &packages.Config{
			Mode:  packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo,
			Dir:   strings.TrimSpace(string(root)),
			Fset:  loaded.fset,
			Tests: true,
		}
		pkgs, err := packages.Load(cfg, module+"/...")
		if err != nil {
			loaded.err = err
			return
		}
		var problems []string
		packages.Visit(pkgs, nil, func(p *packages.Package) {
			for _, e := range p.Errors {
				problems = append(problems, e.Error())
			}
		})
		if len(problems) > 0 {
			loaded.err = fmt.Errorf("loading the module failed:\n%s", strings.Join(problems, "\n"))
			return
		}
		for _, p := range pkgs {
			if !strings.HasPrefix(p.PkgPath, module) || strings.HasSuffix(p.PkgPath, ".test") { // not go test's generated main
				continue
			}
			loaded.all = append(loaded.all, p)
			if p.ID == p.PkgPath { // not a test variant ("p [p.test]", "p_test [p.test]", "p.test")
				loaded.plain = append(loaded.plain, p)
			}
		}
	})
	if loaded.err != nil {
		t.Fatal(loaded.err)
	}
	return &loaded
}

// underApp reports whether a package path is app/ or below it.
func underApp(path string) bool {
	return path == module+"/app" || strings.HasPrefix(path, module+"/app/")
}

func isTestFile(fset *token.FileSet, f *ast.File) bool {
	return strings.HasSuffix(fset.Position(f.Package).Filename, "_test.go")
}

// declared is a package-level var found in app/.
type declared struct {
	name  string
	where string // file:line
	spec  *ast.ValueSpec
	doc   *ast.CommentGroup
	value ast.Expr // its initializer, or nil
	obj   *types.Var
}

func TestNoPackageLevelMutableStateInApp(t *testing.T) {
	c := load(t)
	vars := map[string]*declared{} // by declaration position, the same in every package variant
	var problems []string
	for _, p := range c.plain {
		if !underApp(p.PkgPath) {
			continue
		}
		for _, f := range p.Syntax {
			if isTestFile(c.fset, f) {
				continue
			}
			for _, d := range f.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "init" {
					problems = append(problems, fmt.Sprintf("%s: func init: build what it sets up in app.New instead", c.pos(fd.Pos())))
				}
				g, ok := d.(*ast.GenDecl)
				if !ok || g.Tok != token.VAR {
					continue
				}
				for _, s := range g.Specs {
					vs := s.(*ast.ValueSpec)
					doc := vs.Doc
					if doc == nil && len(g.Specs) == 1 {
						doc = g.Doc
					}
					for i, n := range vs.Names {
						if n.Name == "_" {
							continue
						}
						v := &declared{name: p.PkgPath + "." + n.Name, where: c.pos(n.Pos()), spec: vs, doc: doc, obj: p.TypesInfo.Defs[n].(*types.Var)}
						if len(vs.Values) == len(vs.Names) {
							v.value = vs.Values[i]
						}
						vars[c.key(n.Pos())] = v
						if why := c.notAllowed(v); why != "" {
							problems = append(problems, fmt.Sprintf("%s: var %s: %s", v.where, n.Name, why))
						}
					}
				}
			}
		}
	}
	if len(vars) < 20 {
		t.Fatalf("found only %d package-level vars in app/: the walk looks broken", len(vars))
	}
	problems = append(problems, c.writes(vars)...)
	sort.Strings(problems)
	for _, p := range dedupe(problems) {
		t.Error(p)
	}
}

// notAllowed says why a var is not one of the allowed kinds, or "" when it is.
func (c *code) notAllowed(v *declared) string {
	typ := v.obj.Type()
	if types.Implements(typ, errorType) {
		return ""
	}
	if types.TypeString(typ, nil) == "*regexp.Regexp" {
		return ""
	}
	switch u := typ.Underlying().(type) {
	case *types.Map, *types.Slice, *types.Array, *types.Struct, *types.Basic:
		if s := syncIn(typ, map[types.Type]bool{}); s != "" {
			return "holds " + s + ", which is state: keep it in a value app.New builds"
		}
	default:
		return fmt.Sprintf("a package-level %s is mutable state: keep it in a value app.New builds and passes to its users", kind(u))
	}
	if _, ok := v.value.(*ast.CompositeLit); ok {
		return ""
	}
	if v.doc != nil {
		for _, l := range v.doc.List {
			if strings.TrimSpace(strings.TrimPrefix(l.Text, "//")) == "table: never written" {
				return ""
			}
		}
	}
	return "a table's initializer must be a composite literal, or its doc comment must say \"table: never written\" (a var is not for state)"
}

var errorType = types.Universe.Lookup("error").Type().Underlying().(*types.Interface)

func isPointer(t types.Type) bool { _, ok := t.Underlying().(*types.Pointer); return ok }

func kind(t types.Type) string {
	switch t.(type) {
	case *types.Pointer:
		return "pointer"
	case *types.Signature:
		return "func"
	case *types.Chan:
		return "channel"
	case *types.Interface:
		return "interface value"
	}
	return t.String()
}

// syncIn names a sync or sync/atomic type inside t, or "".
func syncIn(t types.Type, seen map[types.Type]bool) string {
	if seen[t] {
		return ""
	}
	seen[t] = true
	if n, ok := t.(*types.Named); ok && n.Obj().Pkg() != nil {
		if path := n.Obj().Pkg().Path(); path == "sync" || path == "sync/atomic" {
			return path + "." + n.Obj().Name()
		}
	}
	switch u := t.Underlying().(type) {
	case *types.Struct:
		for i := 0; i < u.NumFields(); i++ {
			if s := syncIn(u.Field(i).Type(), seen); s != "" {
				return s
			}
		}
	case *types.Array:
		return syncIn(u.Elem(), seen)
	case *types.Slice:
		return syncIn(u.Elem(), seen)
	case *types.Map:
		if s := syncIn(u.Key(), seen); s != "" {
			return s
		}
		return syncIn(u.Elem(), seen)
	case *types.Pointer:
		return syncIn(u.Elem(), seen)
	}
	return ""
}

// writes finds every write to one of vars anywhere in the module, tests included.
func (c *code) writes(vars map[string]*declared) []string {
	var out []string
	for _, p := range c.all {
		info := p.TypesInfo
		target := func(e ast.Expr) *declared {
			for {
				switch x := e.(type) {
				case *ast.ParenExpr:
					e = x.X
				case *ast.IndexExpr:
					e = x.X
				case *ast.SliceExpr:
					e = x.X
				case *ast.StarExpr:
					e = x.X
				case *ast.SelectorExpr:
					if sel, ok := info.Selections[x]; ok && sel.Kind() == types.FieldVal {
						e = x.X
						continue
					}
					e = x.Sel // a qualified identifier: pkg.Var
				case *ast.Ident:
					if obj, ok := info.Uses[x].(*types.Var); ok {
						return vars[c.key(obj.Pos())]
					}
					return nil
				default:
					return nil
				}
			}
		}
		report := func(at token.Pos, e ast.Expr, how string) {
			if v := target(e); v != nil {
				out = append(out, fmt.Sprintf("%s: %s %s (declared at %s): a package-level var must never be written", c.pos(at), how, v.name, v.where))
			}
		}
		for _, f := range p.Syntax {
			ast.Inspect(f, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.AssignStmt:
					for _, l := range x.Lhs {
						report(l.Pos(), l, "assigns")
					}
				case *ast.IncDecStmt:
					report(x.Pos(), x.X, "increments")
				case *ast.RangeStmt:
					if x.Tok == token.ASSIGN {
						for _, l := range []ast.Expr{x.Key, x.Value} {
							if l != nil {
								report(l.Pos(), l, "assigns")
							}
						}
					}
				case *ast.UnaryExpr:
					if x.Op == token.AND {
						report(x.Pos(), x.X, "takes the address of")
					}
				case *ast.CallExpr:
					if id, ok := ast.Unparen(x.Fun).(*ast.Ident); ok && len(x.Args) > 0 {
						if b, ok := info.Uses[id].(*types.Builtin); ok {
							switch b.Name() {
							case "delete", "clear", "append", "copy":
								report(x.Pos(), x.Args[0], b.Name()+"s into")
							}
						}
					}
				case *ast.SelectorExpr:
					sel, ok := info.Selections[x]
					if !ok || sel.Kind() != types.MethodVal {
						return true
					}
					recv := sel.Obj().(*types.Func).Signature().Recv()
					if isPointer(recv.Type()) && !isPointer(info.TypeOf(x.X)) {
						report(x.Pos(), x.X, "calls pointer method "+x.Sel.Name+" on")
					}
					if x.Sel.Name == "Longest" && types.TypeString(info.TypeOf(x.X), nil) == "*regexp.Regexp" {
						report(x.Pos(), x.X, "calls Longest on")
					}
				}
				return true
			})
		}
	}
	return out
}

// TestWorkerBuildsNoHTTPEngine follows every function that cmd/backroom's worker calls or
// refers to, through the module's code: none of them builds the gin engine, while serve does
// (which shows the walk finds such a path when there is one).
func TestWorkerBuildsNoHTTPEngine(t *testing.T) {
	c := load(t)
	funcs := map[string]func() []string{} // by FullName: the functions a function calls or refers to
	for _, p := range c.plain {
		for _, f := range p.Syntax {
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Body == nil {
					continue
				}
				obj, ok := p.TypesInfo.Defs[fd.Name].(*types.Func)
				if !ok {
					continue
				}
				info := p.TypesInfo
				funcs[obj.FullName()] = func() []string {
					var used []string
					ast.Inspect(fd.Body, func(n ast.Node) bool {
						if id, ok := n.(*ast.Ident); ok {
							if fn, ok := info.Uses[id].(*types.Func); ok {
								used = append(used, fn.Origin().FullName())
							}
						}
						return true
					})
					return used
				}
			}
		}
	}
	engine := map[string]bool{
		"github.com/gin-gonic/gin.New": true, "github.com/gin-gonic/gin.Default": true,
		module + "/app/server.New": true, module + "/app/router.New": true,
	}
	// path returns the call path from start to a function that builds an engine, and every
	// function reached.
	path := func(start string) ([]string, map[string]bool) {
		from := map[string]string{start: ""}
		queue := []string{start}
		for len(queue) > 0 {
			fn := queue[0]
			queue = queue[1:]
			if engine[fn] {
				var p []string
				for ; fn != ""; fn = from[fn] {
					p = append([]string{fn}, p...)
				}
				return p, nil
			}
			body, ok := funcs[fn]
			if !ok {
				continue // outside the module, or an interface method
			}
			for _, next := range body() {
				if _, seen := from[next]; !seen {
					from[next] = fn
					queue = append(queue, next)
				}
			}
		}
		reached := map[string]bool{}
		for fn := range from {
			reached[fn] = true
		}
		return nil, reached
	}
	cmd := module + "/cmd/backroom"
	if _, ok := funcs[cmd+".worker"]; !ok {
		t.Fatalf("no func worker in %s", filepath.Base(cmd))
	}
	if p, reached := path(cmd + ".worker"); p != nil {
		t.Fatalf("backroom worker builds the HTTP engine: %s", strings.Join(p, " → "))
	} else {
		for _, want := range []string{module + "/app.New", module + "/app/jobs.NewRunner", module + "/app/sales.New"} {
			if !reached[want] {
				t.Errorf("the worker's walk never reached %s: it looks broken", want)
			}
		}
	}
	if p, _ := path(cmd + ".serve"); p == nil {
		t.Fatal("no path from serve to the engine was found: the walk cannot see one")
	}
}

func (c *code) pos(p token.Pos) string {
	at := c.fset.Position(p)
	return fmt.Sprintf("%s:%d", relative(at.Filename), at.Line)
}

func (c *code) key(p token.Pos) string {
	at := c.fset.Position(p)
	return fmt.Sprintf("%s:%d:%d", at.Filename, at.Line, at.Column)
}

func relative(file string) string {
	if i := strings.Index(file, "/app/"); i >= 0 {
		return file[i+1:]
	}
	return file
}

func dedupe(list []string) []string {
	var out []string
	for i, s := range list {
		if i == 0 || s != list[i-1] {
			out = append(out, s)
		}
	}
	return out
}
