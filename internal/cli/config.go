package cli

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/seshat-graph/seshat/auth"
)

// Config is every setting of the seshat binary, read once from the
// environment in main. Secrets are never logged: use String.
type Config struct {
	DatabaseURL      string
	DatabaseReadURL  string
	ListenAddr       string
	DocumentStore    string // dir://<path> or s3://<bucket>/<prefix>
	S3Endpoint       string
	S3AccessKey      string
	S3SecretKey      string
	Deployment       string
	Tokens           []auth.Token
	RequireAuth      bool // queries need a token too
	DebugQueries     bool
	LogFormat        string // text | json
	LogLevel         slog.Level
	MaxComplexity    int
	MaxDepth         int
	MaxPageSize      int
	MaxQueryDepth    int
	MaxQueryBytes    int
	Introspection    bool
	RequestTimeout   time.Duration
	ShutdownTimeout  time.Duration
	MaxBodyBytes     int64
	DBMaxConns       int32
	DBAcquireTimeout time.Duration
	BackupKeep       int
	StatsInterval    time.Duration
	LogStats         bool
	Solvers          []string

	// GraphCacheBytes bounds the gateway's graph cache; 0 turns it off.
	GraphCacheBytes int64

	// DatabaseReadMaxLag: queries read from DatabaseReadURL only while it
	// lags less (0: any lag).
	DatabaseReadMaxLag time.Duration
	// DatabaseTransactionPooling: the URLs lead through a pooler in
	// transaction mode (pgbouncer), so no statement is prepared by name.
	DatabaseTransactionPooling bool
}

// setting documents one environment variable for --help.
type setting struct {
	name, def, help string
}

// settings lists every variable Config reads, in --help order.
var settings = []setting{
	{"SESHAT_DATABASE_URL", "postgres://postgres@127.0.0.1:54329/seshat?sslmode=disable", "PostgreSQL URL; Thoth's KNOWLEDGE_GRAPH_HOST/PORT/USER/PASSWORD/DATABASE/SSL_DISABLED are used when it is unset"},
	{"SESHAT_DATABASE_READ_URL", "", "optional hot standby of SESHAT_DATABASE_URL: serve's queries read from it while it is up (header X-Seshat-Consistency: primary reads from the primary), mutations use the primary"},
	{"SESHAT_DATABASE_READ_MAX_LAG", "30s", "queries read from SESHAT_DATABASE_READ_URL only while its replay lags the primary by less; 0: any lag"},
	{"SESHAT_DATABASE_TRANSACTION_POOLING", "0", "1: the database URLs lead through a pooler in transaction mode (pgbouncer pool_mode=transaction): no statement is prepared by name"},
	{"SESHAT_LISTEN_ADDR", "127.0.0.1:8080", "address the gateway listens on"},
	{"SESHAT_DOCUMENT_STORE", "dir://.data/documents", "document store: dir://<path> or s3://<bucket>/<prefix> (THOTH_CEPH_BUCKET/THOTH_CEPH_BUCKET_PREFIX when unset)"},
	{"SESHAT_S3_ENDPOINT", "", "S3 endpoint, host:port or URL (THOTH_S3_ENDPOINT_URL)"},
	{"SESHAT_S3_ACCESS_KEY", "", "S3 access key (THOTH_CEPH_KEY_ID)"},
	{"SESHAT_S3_SECRET_KEY", "", "S3 secret key (THOTH_CEPH_SECRET_KEY)"},
	{"SESHAT_DEPLOYMENT", "", "deployment name below the store prefix (THOTH_DEPLOYMENT_NAME)"},
	{"SESHAT_API_TOKENS", "", "comma-separated name:scope:secret, scope ingest or admin; mutations need one"},
	{"SESHAT_REQUIRE_AUTH_FOR_QUERIES", "0", "1: queries need a token too"},
	{"SESHAT_DEBUG_QUERIES", "0", "1: log every SQL statement with its duration (THOTH_STORAGES_DEBUG_QUERIES)"},
	{"SESHAT_LOG_FORMAT", "text", "text or json"},
	{"SESHAT_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"SESHAT_MAX_COMPLEXITY", "100000", "largest accepted query cost"},
	{"SESHAT_MAX_DEPTH", "50", "largest accepted maxDepth argument"},
	{"SESHAT_MAX_PAGE_SIZE", "1000", "largest accepted first argument"},
	{"SESHAT_MAX_QUERY_DEPTH", "15", "deepest accepted field nesting of a query (introspection excepted)"},
	{"SESHAT_MAX_QUERY_BYTES", "65536", "longest accepted query text, in bytes"},
	{"SESHAT_INTROSPECTION", "1", "0: refuse schema introspection"},
	{"SESHAT_REQUEST_TIMEOUT", "30s", "per-request time limit; its SQL is cancelled"},
	{"SESHAT_SHUTDOWN_TIMEOUT", "20s", "grace period for in-flight requests on SIGINT/SIGTERM"},
	{"SESHAT_MAX_BODY_BYTES", "67108864", "largest accepted request body (documents are ingested through it)"},
	{"SESHAT_DB_MAX_CONNS", "0", "database pool size; 0: max(4, CPUs)"},
	{"SESHAT_DB_ACQUIRE_TIMEOUT", "5s", "longest wait for a free database connection before a request fails with UNAVAILABLE"},
	{"SESHAT_BACKUP_KEEP", "21", "dumps seshat backup keeps in the document store's graph-backup/, the newest"},
	{"SESHAT_SOLVERS", "", "comma-separated solvers seshat refresh asks for, in Thoth's names (solver-rhel-8-py38); every environment known when unset"},
	{"SESHAT_STATS_INTERVAL", "60s", "how often serve recomputes the graph figures it exports on /metrics (seshat_graph_*)"},
	{"SESHAT_LOG_STATS", "0", "1: log the pool and statement statistics at shutdown (THOTH_STORAGES_LOG_STATS)"},
	{"SESHAT_GRAPH_CACHE_MB", "256", "memory for whole dependencyGraph answers kept by serve, in MiB (0: no cache)"},
}

// LoadConfig reads the configuration through lookup (os.LookupEnv in main,
// a map in tests), applies defaults and validates it. The error lists every
// problem found.
func LoadConfig(lookup func(string) (string, bool)) (Config, error) {
	get := func(name string) string {
		v, _ := lookup(name)
		return strings.TrimSpace(v)
	}
	first := func(names ...string) string {
		for _, n := range names {
			if v := get(n); v != "" {
				return v
			}
		}
		return ""
	}
	def := func(name string) string {
		for _, s := range settings {
			if s.name == name {
				return s.def
			}
		}
		return ""
	}
	or := func(v, d string) string {
		if v == "" {
			return d
		}
		return v
	}
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{name}, args...)...))
	}
	boolean := func(name string, alt ...string) bool {
		v := first(append([]string{name}, alt...)...)
		if v == "" {
			v = def(name)
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad(name, "%q is not a boolean (use 1 or 0)", v)
		}
		return b
	}
	integer := func(name string, min int64) int64 {
		v := or(get(name), def(name))
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < min {
			bad(name, "%q: want an integer >= %d", v, min)
		}
		return n
	}
	duration := func(name string) time.Duration {
		v := or(get(name), def(name))
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			bad(name, "%q: want a duration such as 30s", v)
		}
		return d
	}

	c := Config{
		DatabaseReadURL: get("SESHAT_DATABASE_READ_URL"),
		ListenAddr:      or(get("SESHAT_LISTEN_ADDR"), def("SESHAT_LISTEN_ADDR")),
		S3Endpoint:      first("SESHAT_S3_ENDPOINT", "THOTH_S3_ENDPOINT_URL"),
		S3AccessKey:     first("SESHAT_S3_ACCESS_KEY", "THOTH_CEPH_KEY_ID"),
		S3SecretKey:     first("SESHAT_S3_SECRET_KEY", "THOTH_CEPH_SECRET_KEY"),
		Deployment:      first("SESHAT_DEPLOYMENT", "THOTH_DEPLOYMENT_NAME"),
		LogFormat:       or(get("SESHAT_LOG_FORMAT"), def("SESHAT_LOG_FORMAT")),
	}
	c.DatabaseURL = get("SESHAT_DATABASE_URL")
	if c.DatabaseURL == "" {
		c.DatabaseURL = thothDatabaseURL(get)
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = def("SESHAT_DATABASE_URL")
	}
	for _, u := range []struct{ name, v string }{{"SESHAT_DATABASE_URL", c.DatabaseURL}, {"SESHAT_DATABASE_READ_URL", c.DatabaseReadURL}} {
		if u.v == "" {
			continue
		}
		p, err := url.Parse(u.v)
		if err != nil || (p.Scheme != "postgres" && p.Scheme != "postgresql") || p.Host == "" {
			bad(u.name, "want a URL such as postgres://user@host:5432/db")
		}
	}
	if _, _, err := net.SplitHostPort(c.ListenAddr); err != nil {
		bad("SESHAT_LISTEN_ADDR", "%q: want host:port", c.ListenAddr)
	}

	c.DocumentStore = get("SESHAT_DOCUMENT_STORE")
	if c.DocumentStore == "" {
		if bucket := get("THOTH_CEPH_BUCKET"); bucket != "" {
			c.DocumentStore = "s3://" + bucket + "/" + strings.Trim(get("THOTH_CEPH_BUCKET_PREFIX"), "/")
		} else {
			c.DocumentStore = def("SESHAT_DOCUMENT_STORE")
		}
	}
	switch {
	case strings.HasPrefix(c.DocumentStore, "dir://"):
		if strings.TrimPrefix(c.DocumentStore, "dir://") == "" {
			bad("SESHAT_DOCUMENT_STORE", "dir:// needs a path")
		}
	case strings.HasPrefix(c.DocumentStore, "s3://"):
		if strings.Split(strings.TrimPrefix(c.DocumentStore, "s3://"), "/")[0] == "" {
			bad("SESHAT_DOCUMENT_STORE", "s3:// needs a bucket")
		}
		if c.S3Endpoint == "" {
			bad("SESHAT_S3_ENDPOINT", "required with an s3:// document store")
		}
	default:
		bad("SESHAT_DOCUMENT_STORE", "%q: want dir://<path> or s3://<bucket>/<prefix>", c.DocumentStore)
	}

	tokens, err := auth.ParseTokens(get("SESHAT_API_TOKENS"))
	if err != nil {
		bad("SESHAT_API_TOKENS", "%v", err)
	}
	c.Tokens = tokens
	c.RequireAuth = boolean("SESHAT_REQUIRE_AUTH_FOR_QUERIES")
	if c.RequireAuth && len(c.Tokens) == 0 {
		bad("SESHAT_REQUIRE_AUTH_FOR_QUERIES", "set, but SESHAT_API_TOKENS has no tokens")
	}
	c.DebugQueries = boolean("SESHAT_DEBUG_QUERIES", "THOTH_STORAGES_DEBUG_QUERIES")
	c.Introspection = boolean("SESHAT_INTROSPECTION")
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("SESHAT_LOG_FORMAT", "%q: want text or json", c.LogFormat)
	}
	if err := c.LogLevel.UnmarshalText([]byte(or(get("SESHAT_LOG_LEVEL"), def("SESHAT_LOG_LEVEL")))); err != nil {
		bad("SESHAT_LOG_LEVEL", "want debug, info, warn or error")
	}
	c.MaxComplexity = int(integer("SESHAT_MAX_COMPLEXITY", 1))
	c.MaxDepth = int(integer("SESHAT_MAX_DEPTH", 1))
	c.MaxPageSize = int(integer("SESHAT_MAX_PAGE_SIZE", 1))
	c.MaxQueryDepth = int(integer("SESHAT_MAX_QUERY_DEPTH", 1))
	c.MaxQueryBytes = int(integer("SESHAT_MAX_QUERY_BYTES", 64))
	c.MaxBodyBytes = integer("SESHAT_MAX_BODY_BYTES", 1024)
	c.DBMaxConns = int32(integer("SESHAT_DB_MAX_CONNS", 0))
	c.BackupKeep = int(integer("SESHAT_BACKUP_KEEP", 1))
	c.RequestTimeout = duration("SESHAT_REQUEST_TIMEOUT")
	c.DBAcquireTimeout = duration("SESHAT_DB_ACQUIRE_TIMEOUT")
	c.ShutdownTimeout = duration("SESHAT_SHUTDOWN_TIMEOUT")
	c.DatabaseReadMaxLag = duration("SESHAT_DATABASE_READ_MAX_LAG")
	c.DatabaseTransactionPooling = boolean("SESHAT_DATABASE_TRANSACTION_POOLING")
	c.StatsInterval = duration("SESHAT_STATS_INTERVAL")
	if c.StatsInterval < time.Second {
		bad("SESHAT_STATS_INTERVAL", "%s: want at least 1s", c.StatsInterval)
	}
	c.LogStats = boolean("SESHAT_LOG_STATS", "THOTH_STORAGES_LOG_STATS")
	if mb := integer("SESHAT_GRAPH_CACHE_MB", 0); mb > 1<<20 {
		bad("SESHAT_GRAPH_CACHE_MB", "%d: want at most %d (1 TiB)", mb, 1<<20)
	} else {
		c.GraphCacheBytes = mb << 20
	}
	for _, s := range strings.Split(get("SESHAT_SOLVERS"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			c.Solvers = append(c.Solvers, s)
		}
	}
	if c.DebugQueries && c.LogLevel > slog.LevelDebug {
		// Statement logs are debug records: asking for them lowers the level.
		c.LogLevel = slog.LevelDebug
	}
	return c, errors.Join(errs...)
}

// thothDatabaseURL builds a URL from Thoth's KNOWLEDGE_GRAPH_* variables, or
// returns "" when none is set. Defaults are Thoth's own.
func thothDatabaseURL(get func(string) string) string {
	names := []string{"HOST", "PORT", "USER", "PASSWORD", "DATABASE", "SSL_DISABLED"}
	any := false
	for _, n := range names {
		if get("KNOWLEDGE_GRAPH_"+n) != "" {
			any = true
		}
	}
	if !any {
		return ""
	}
	val := func(n, d string) string {
		if v := get("KNOWLEDGE_GRAPH_" + n); v != "" {
			return v
		}
		return d
	}
	u := url.URL{
		Scheme: "postgres",
		User:   url.UserPassword(val("USER", "postgres"), val("PASSWORD", "postgres")),
		Host:   net.JoinHostPort(val("HOST", "localhost"), val("PORT", "5432")),
		Path:   "/" + val("DATABASE", "postgres"),
	}
	if disabled, _ := strconv.ParseBool(get("KNOWLEDGE_GRAPH_SSL_DISABLED")); disabled {
		u.RawQuery = "sslmode=disable"
	}
	return u.String()
}

// String describes the configuration for logs, without secrets.
func (c Config) String() string {
	redacted := func(raw string) string {
		if raw == "" {
			return ""
		}
		u, err := url.Parse(raw)
		if err != nil {
			return "(invalid)"
		}
		return u.Redacted()
	}
	names := make([]string, len(c.Tokens))
	for i, t := range c.Tokens {
		names[i] = t.String()
	}
	return fmt.Sprintf("database=%s listen=%s store=%s s3=%s tokens=[%s] debugQueries=%t",
		redacted(c.DatabaseURL), c.ListenAddr, c.DocumentStore, c.S3Endpoint, strings.Join(names, ","), c.DebugQueries)
}
