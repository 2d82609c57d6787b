package cli

import (
	"log/slog"
	"strings"
	"testing"
	"time"
)

func lookupMap(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

func TestLoadConfigDefaults(t *testing.T) {
	c, err := LoadConfig(lookupMap(nil))
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"DatabaseURL", c.DatabaseURL, "postgres://postgres@127.0.0.1:54329/seshat?sslmode=disable"},
		{"ListenAddr", c.ListenAddr, "127.0.0.1:8080"},
		{"DocumentStore", c.DocumentStore, "dir://.data/documents"},
		{"LogFormat", c.LogFormat, "text"},
		{"LogLevel", c.LogLevel, slog.LevelInfo},
		{"DebugQueries", c.DebugQueries, false},
		{"Introspection", c.Introspection, true},
		{"RequestTimeout", c.RequestTimeout, 30 * time.Second},
		{"MaxDepth", c.MaxDepth, 50},
		{"Tokens", len(c.Tokens), 0},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

func TestLoadConfigThothFallbacks(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		check func(t *testing.T, c Config)
	}{
		{
			name: "knowledge graph variables build the database URL",
			env: map[string]string{
				"KNOWLEDGE_GRAPH_HOST": "kg.example", "KNOWLEDGE_GRAPH_PORT": "5433",
				"KNOWLEDGE_GRAPH_USER": "thoth", "KNOWLEDGE_GRAPH_PASSWORD": "s3cret",
				"KNOWLEDGE_GRAPH_DATABASE": "kg", "KNOWLEDGE_GRAPH_SSL_DISABLED": "1",
			},
			check: func(t *testing.T, c Config) {
				if want := "postgres://thoth:s3cret@kg.example:5433/kg?sslmode=disable"; c.DatabaseURL != want {
					t.Errorf("DatabaseURL = %q, want %q", c.DatabaseURL, want)
				}
				if strings.Contains(c.String(), "s3cret") {
					t.Errorf("String() leaks the password: %s", c)
				}
			},
		},
		{
			name: "thoth defaults fill missing knowledge graph parts",
			env:  map[string]string{"KNOWLEDGE_GRAPH_HOST": "db"},
			check: func(t *testing.T, c Config) {
				if want := "postgres://postgres:postgres@db:5432/postgres"; c.DatabaseURL != want {
					t.Errorf("DatabaseURL = %q, want %q", c.DatabaseURL, want)
				}
			},
		},
		{
			name: "SESHAT_DATABASE_URL wins over knowledge graph variables",
			env:  map[string]string{"SESHAT_DATABASE_URL": "postgres://a@b/c", "KNOWLEDGE_GRAPH_HOST": "db"},
			check: func(t *testing.T, c Config) {
				if c.DatabaseURL != "postgres://a@b/c" {
					t.Errorf("DatabaseURL = %q", c.DatabaseURL)
				}
			},
		},
		{
			name: "ceph variables select an s3 store",
			env: map[string]string{
				"THOTH_CEPH_BUCKET": "thoth", "THOTH_CEPH_BUCKET_PREFIX": "data/", "THOTH_DEPLOYMENT_NAME": "ocp4-stage",
				"THOTH_S3_ENDPOINT_URL": "https://s3.example", "THOTH_CEPH_KEY_ID": "key", "THOTH_CEPH_SECRET_KEY": "secret",
			},
			check: func(t *testing.T, c Config) {
				if c.DocumentStore != "s3://thoth/data" || c.Deployment != "ocp4-stage" || c.S3Endpoint != "https://s3.example" ||
					c.S3AccessKey != "key" || c.S3SecretKey != "secret" {
					t.Errorf("got store=%q deployment=%q endpoint=%q key=%q", c.DocumentStore, c.Deployment, c.S3Endpoint, c.S3AccessKey)
				}
				if strings.Contains(c.String(), "secret") {
					t.Errorf("String() leaks the S3 secret: %s", c)
				}
			},
		},
		{
			name: "thoth debug queries",
			env:  map[string]string{"THOTH_STORAGES_DEBUG_QUERIES": "1"},
			check: func(t *testing.T, c Config) {
				if !c.DebugQueries || c.LogLevel != slog.LevelDebug {
					t.Errorf("DebugQueries=%v LogLevel=%v, want true and debug", c.DebugQueries, c.LogLevel)
				}
			},
		},
		{
			name: "tokens parse and never print their secret",
			env:  map[string]string{"SESHAT_API_TOKENS": "ci:ingest:0123456789abcdef0123, ops:admin:fedcba9876543210fedc"},
			check: func(t *testing.T, c Config) {
				if len(c.Tokens) != 2 || c.Tokens[0].Name != "ci" || c.Tokens[1].Scope != "admin" {
					t.Errorf("Tokens = %v", c.Tokens)
				}
				if strings.Contains(c.String(), "0123456789abcdef") {
					t.Errorf("String() leaks a token: %s", c)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := LoadConfig(lookupMap(tt.env))
			if err != nil {
				t.Fatalf("LoadConfig: %v", err)
			}
			tt.check(t, c)
		})
	}
}

func TestLoadConfigInvalid(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string // substring of the error
	}{
		{"database scheme", map[string]string{"SESHAT_DATABASE_URL": "mysql://x/y"}, "SESHAT_DATABASE_URL"},
		{"listen address", map[string]string{"SESHAT_LISTEN_ADDR": "8080"}, "SESHAT_LISTEN_ADDR"},
		{"store scheme", map[string]string{"SESHAT_DOCUMENT_STORE": "ftp://x"}, "SESHAT_DOCUMENT_STORE"},
		{"empty dir store", map[string]string{"SESHAT_DOCUMENT_STORE": "dir://"}, "needs a path"},
		{"s3 without endpoint", map[string]string{"SESHAT_DOCUMENT_STORE": "s3://bucket/p"}, "SESHAT_S3_ENDPOINT"},
		{"token format", map[string]string{"SESHAT_API_TOKENS": "justasecret"}, "name:scope:secret"},
		{"token scope", map[string]string{"SESHAT_API_TOKENS": "a:root:0123456789abcdef0"}, "scope"},
		{"short token", map[string]string{"SESHAT_API_TOKENS": "a:admin:short"}, "shorter than 16"},
		{"auth for queries without tokens", map[string]string{"SESHAT_REQUIRE_AUTH_FOR_QUERIES": "1"}, "SESHAT_API_TOKENS"},
		{"boolean", map[string]string{"SESHAT_DEBUG_QUERIES": "yes please"}, "SESHAT_DEBUG_QUERIES"},
		{"log format", map[string]string{"SESHAT_LOG_FORMAT": "xml"}, "SESHAT_LOG_FORMAT"},
		{"log level", map[string]string{"SESHAT_LOG_LEVEL": "loud"}, "SESHAT_LOG_LEVEL"},
		{"max depth", map[string]string{"SESHAT_MAX_DEPTH": "0"}, "SESHAT_MAX_DEPTH"},
		{"timeout", map[string]string{"SESHAT_REQUEST_TIMEOUT": "soon"}, "SESHAT_REQUEST_TIMEOUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig(lookupMap(tt.env))
			if err == nil {
				t.Fatalf("LoadConfig accepted %v", tt.env)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}

	// Every problem is reported at once.
	_, err := LoadConfig(lookupMap(map[string]string{"SESHAT_LOG_FORMAT": "xml", "SESHAT_MAX_DEPTH": "-1"}))
	if err == nil || !strings.Contains(err.Error(), "SESHAT_LOG_FORMAT") || !strings.Contains(err.Error(), "SESHAT_MAX_DEPTH") {
		t.Errorf("want both problems reported, got %v", err)
	}
}
