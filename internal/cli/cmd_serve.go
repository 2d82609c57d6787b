package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/seshat-graph/seshat/auth"
	"github.com/seshat-graph/seshat/graphcache"
	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/migrations"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/playground"
	"github.com/seshat-graph/seshat/resolvers"
	"github.com/seshat-graph/seshat/server"
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs := e.flags("serve", "serve [--migrate]\n\nRuns the gateway: GraphQL at /graphql, /healthz, /readyz, /version.\nOn SIGINT or SIGTERM it stops accepting, finishes requests in flight\n(up to SESHAT_SHUTDOWN_TIMEOUT) and exits.")
	migrate := fs.Bool("migrate", false, "apply pending migrations before serving")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	logger := e.logger(c)
	if *migrate {
		m, err := migrations.New(c.DatabaseURL)
		if err != nil {
			return err
		}
		err = m.Up()
		m.Close()
		if err != nil {
			return fmt.Errorf("migrate up: %w", err)
		}
	}
	tracer := &persistence.Tracer{Logger: logger, Log: c.DebugQueries}
	// Queries may read from a hot standby (the store routes them, see
	// persistence.ReadFromStandby and server/consistency.go); mutations,
	// the reads inside them and ingestion use the primary.
	opts := storeOptions(c, logger, tracer)
	opts.StandbyURL, opts.MaxStandbyLag = c.DatabaseReadURL, c.DatabaseReadMaxLag
	store, err := e.openStoreWith(ctx, c, opts)
	if err != nil {
		return err
	}
	defer store.Close()
	r := &resolvers.Resolver{
		Store:   store,
		Primary: store,
		Logger:  logger,
		Limits:  resolvers.Limits{MaxDepth: c.MaxDepth, MaxPageSize: c.MaxPageSize, DefaultPage: min(100, c.MaxPageSize)},
	}
	// Ingestion needs the document store; without it the gateway still
	// serves queries and the mutations answer UNAVAILABLE.
	if docs, err := e.openDocs(ctx, c, false); err != nil {
		logger.Warn("document store unavailable: ingestion mutations are disabled", "store", c.DocumentStore, "err", err)
	} else {
		r.Ingest = &ingest.Service{Store: store, Docs: docs, Logger: logger, Workers: 4}
	}
	authn := auth.New(c.Tokens)
	metrics := server.NewMetrics(func() float64 { return float64(tracer.Count()) })
	// The graph cache reads the generations from the primary (store).
	var graphCache *graphcache.Cache
	if c.GraphCacheBytes > 0 {
		graphCache = graphcache.New(store, c.GraphCacheBytes)
		metrics.RegisterGraphCache(graphCache)
	}
	var standby func() persistence.StandbyStatus
	if c.DatabaseReadURL != "" {
		standby = store.StandbyStatus
		metrics.RegisterStandby(standby)
	}
	graphStats := server.NewGraphStats(metrics, store.Stats, logger, version)
	go graphStats.Run(ctx, c.StatsInterval)
	handler := server.Handler(server.Deps{
		Logger: logger,
		GraphQL: server.GraphQL(r, logger, server.GraphQLOptions{
			Complexity:    c.MaxComplexity,
			MaxQueryDepth: c.MaxQueryDepth,
			MaxQueryBytes: c.MaxQueryBytes,
			Introspection: c.Introspection,
			RequireAuth:   c.RequireAuth,
			Timeout:       c.RequestTimeout,
			GraphCache:    graphCache,
		}),
		Auth: authn.Middleware,
		Ready: func(ctx context.Context) error {
			if err := store.Ping(ctx); err != nil {
				return errors.New("database unreachable")
			}
			return checkSchema(ctx, store)
		},
		Standby:      standby,
		Playground:   playground.Playground(),
		Explorer:     playground.Explorer(),
		Metrics:      metrics,
		MaxBodyBytes: c.MaxBodyBytes,
		Version:      server.VersionInfo{Version: version, Commit: vcsRevision()},
	})

	ln, err := net.Listen("tcp", c.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.ListenAddr, err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      c.RequestTimeout + 30*time.Second,
		IdleTimeout:       120 * time.Second,
		// In-flight requests outlive the signal: Shutdown waits for them.
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	addr := ln.Addr().String()
	logger.Info("seshat serving", "addr", "http://"+addr, "graphql", "http://"+addr+"/graphql", "version", version, "config", c.String())
	if e.ready != nil {
		e.ready(addr)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down", "grace", c.ShutdownTimeout)
	// Requests in flight keep their own contexts; give them the grace period.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	if c.LogStats {
		p := store.PoolStats()
		logger.Info("statistics", "sql_statements", tracer.Count(), "pool_max_conns", p.MaxConns,
			"pool_conns", p.TotalConns, "pool_idle_conns", p.IdleConns, "pool_acquires", p.Acquires,
			"pool_acquires_waited", p.EmptyAcquires, "pool_acquire_wait", p.AcquireWait)
	}
	logger.Info("stopped")
	return nil
}

// vcsRevision is the commit the binary was built from, when Go recorded it.
func vcsRevision() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			return s.Value
		}
	}
	return ""
}
