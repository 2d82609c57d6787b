package playground

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func serve(t *testing.T, h http.Handler, method, target string) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec.Result()
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// externalURL matches an http(s) URL whose host is not the local machine.
var externalURL = regexp.MustCompile(`(?i)https?://(?:[^/"'\s>]*)`)

func isLocal(u string) bool {
	host := strings.ToLower(u[strings.Index(u, "//")+2:])
	if i := strings.LastIndex(host, "@"); i >= 0 {
		host = host[i+1:]
	}
	for _, h := range []string{"localhost", "127.0.0.1", "[::1]"} {
		if host == h || strings.HasPrefix(host, h+":") {
			return true
		}
	}
	return false
}

func TestPages(t *testing.T) {
	cases := []struct {
		name    string
		handler http.Handler
		prefix  string
		script  string
		style   string
	}{
		{"playground", Playground(), "/playground", "/playground/playground.js", "/playground/playground.css"},
		{"explorer", Explorer(), "/explorer", "/explorer/explorer.js", "/explorer/explorer.css"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, target := range []string{c.prefix, c.prefix + "/", c.prefix + "?package=flask&version=2.0.1"} {
				res := serve(t, c.handler, http.MethodGet, target)
				if res.StatusCode != http.StatusOK {
					t.Fatalf("GET %s: status %d", target, res.StatusCode)
				}
				if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
					t.Errorf("GET %s: Content-Type %q", target, ct)
				}
				if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "connect-src 'self'") {
					t.Errorf("GET %s: Content-Security-Policy %q does not keep requests to the gateway", target, csp)
				}
				html := body(t, res)
				for _, ref := range []string{`src="` + c.script + `"`, `href="` + c.style + `"`} {
					if !strings.Contains(html, ref) {
						t.Errorf("GET %s: page does not reference %s", target, ref)
					}
				}
				for _, u := range externalURL.FindAllString(html, -1) {
					if !isLocal(u) {
						t.Errorf("GET %s: page references %s outside localhost", target, u)
					}
				}
			}

			for _, a := range []struct{ path, contentType string }{
				{c.script, "text/javascript; charset=utf-8"},
				{c.style, "text/css; charset=utf-8"},
			} {
				res := serve(t, c.handler, http.MethodGet, a.path)
				if res.StatusCode != http.StatusOK {
					t.Fatalf("GET %s: status %d", a.path, res.StatusCode)
				}
				if ct := res.Header.Get("Content-Type"); ct != a.contentType {
					t.Errorf("GET %s: Content-Type %q, want %q", a.path, ct, a.contentType)
				}
				if res.Header.Get("X-Content-Type-Options") != "nosniff" {
					t.Errorf("GET %s: no X-Content-Type-Options: nosniff", a.path)
				}
				if len(body(t, res)) < 1000 {
					t.Errorf("GET %s: body too short to be the built asset", a.path)
				}
				etag := res.Header.Get("ETag")
				if etag == "" {
					t.Fatalf("GET %s: no ETag", a.path)
				}
				rec := httptest.NewRecorder()
				req := httptest.NewRequest(http.MethodGet, a.path, nil)
				req.Header.Set("If-None-Match", etag)
				c.handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusNotModified {
					t.Errorf("GET %s with its ETag: status %d, want 304", a.path, rec.Code)
				}
			}

			for _, p := range []string{c.prefix + "/missing.js", c.prefix + "x", c.prefix + "/../go.mod"} {
				if res := serve(t, c.handler, http.MethodGet, p); res.StatusCode != http.StatusNotFound {
					t.Errorf("GET %s: status %d, want 404", p, res.StatusCode)
				}
			}
			if res := serve(t, c.handler, http.MethodPost, c.prefix); res.StatusCode != http.StatusMethodNotAllowed {
				t.Errorf("POST %s: status %d, want 405", c.prefix, res.StatusCode)
			}
		})
	}
}

func TestPlaygroundAssets(t *testing.T) {
	h := Playground()
	for path, contentType := range map[string]string{
		"/playground/workers/editor.worker.js":  "text/javascript; charset=utf-8",
		"/playground/workers/json.worker.js":    "text/javascript; charset=utf-8",
		"/playground/workers/graphql.worker.js": "text/javascript; charset=utf-8",
	} {
		res := serve(t, h, http.MethodGet, path)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: status %d", path, res.StatusCode)
			continue
		}
		if ct := res.Header.Get("Content-Type"); ct != contentType {
			t.Errorf("GET %s: Content-Type %q, want %q", path, ct, contentType)
		}
	}
	// The editor's icon font is a file next to the stylesheet.
	css := body(t, serve(t, h, http.MethodGet, "/playground/playground.css"))
	m := regexp.MustCompile(`url\("?\./(codicon-[A-Z0-9]+\.ttf)"?\)`).FindStringSubmatch(css)
	if m == nil {
		t.Fatal("playground.css references no codicon font file")
	}
	res := serve(t, h, http.MethodGet, "/playground/"+m[1])
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "font/ttf" {
		t.Errorf("GET /playground/%s: status %d, Content-Type %q", m[1], res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res := serve(t, h, http.MethodHead, "/playground"); res.StatusCode != http.StatusOK {
		t.Errorf("HEAD /playground: status %d", res.StatusCode)
	}
}

// TestExplorerModes: the explorer page offers its three modes as a tab list
// whose tabs control forms that exist, every field of the forms has a
// label, and the embedded script is built from the sources that have them
// (it holds the resolve query and the modes' element ids).
func TestExplorerModes(t *testing.T) {
	h := Explorer()
	html := body(t, serve(t, h, http.MethodGet, "/explorer"))
	ids := map[string]bool{}
	for _, m := range regexp.MustCompile(`\sid="([^"]+)"`).FindAllStringSubmatch(html, -1) {
		ids[m[1]] = true
	}
	tabs := regexp.MustCompile(`<button id="(mode-[a-z]+)" role="tab"[^>]*aria-controls="([^"]+)"`).FindAllStringSubmatch(html, -1)
	var names []string
	for _, m := range tabs {
		names = append(names, m[1])
		if !ids[m[2]] {
			t.Errorf("tab %s controls #%s, which the page lacks", m[1], m[2])
		}
	}
	if strings.Join(names, ",") != "mode-graph,mode-resolve,mode-compare" {
		t.Errorf("mode tabs %v, want mode-graph, mode-resolve, mode-compare", names)
	}
	if !strings.Contains(html, `role="tablist"`) {
		t.Error("the mode tabs are not in a tablist")
	}
	labelled := map[string]bool{}
	for _, l := range regexp.MustCompile(`(?s)<label[^>]*>(.*?)</label>`).FindAllStringSubmatch(html, -1) {
		for _, m := range regexp.MustCompile(`<(?:input|select|textarea) id="([^"]+)"`).FindAllStringSubmatch(l[1], -1) {
			labelled[m[1]] = true
		}
	}
	fields := regexp.MustCompile(`<(?:input|select|textarea) id="([^"]+)"`).FindAllStringSubmatch(html, -1)
	if len(fields) < 20 {
		t.Errorf("the page has %d form fields, want the three modes' (20 or more)", len(fields))
	}
	for _, m := range fields {
		if !labelled[m[1]] {
			t.Errorf("field #%s has no label", m[1])
		}
	}
	js := body(t, serve(t, h, http.MethodGet, "/explorer/explorer.js"))
	for _, want := range []string{"resolve(input: $input)", "requirementsTxt", "pipfileLock", "resolve-form", "compare-form", "package-versions", "diff-"} {
		if !strings.Contains(js, want) {
			t.Errorf("explorer.js lacks %q: playground/dist is not built from playground/web/src (scripts/playground-assets.sh)", want)
		}
	}
}
