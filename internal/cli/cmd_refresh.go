package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/seshat-graph/seshat/persistence"
)

const refreshUsage = `refresh [--count N] [--cooldown D] [--kind KIND ...] [--webhook URL] [--no-store] [--dry-run]

Lists what to solve and analyse next, as Thoth's graph-refresh job did, in
Thoth's message shapes, one JSON object a line on stdout:
  unresolved-package     {package_name, package_version, index_url, solver}
      per solver (SESHAT_SOLVERS, Thoth's names such as solver-rhel-8-py38;
      default: every environment known): versions of its environment's
      backlog (on enabled indexes, not missing, not ruled out), those of
      packages adviser runs could not resolve first, then those runs'
      packages the graph has no version of (package_version null);
  unrevsolved-package    {package_name, package_version}
      releases solved somewhere that no revsolver document has run for;
  si-unanalyzed-package  {package_name, package_version, index_url}
      solved versions with no security indicator.
At most --count of each kind per solver (default 100), spread across
packages: every package's first version before any package's second.

A request is not made again within --cooldown (default 24h) unless a
document of its solver failed since; what was requested and when is
recorded (--dry-run lists without recording). The list also goes to the
document store as solver-requests/<UTC time>.json (--no-store: not), and
with --webhook it is POSTed to URL in batches of 100 ({"requests": [...]}),
each retried with backoff on an error or a 5xx, for Argo Events or any
scheduler. The same list answers the solverRequests query, for schedulers
that pull.

Examples:
  seshat refresh --count 10
  SESHAT_SOLVERS=solver-rhel-8-py38,solver-fedora-38-py311 seshat refresh --webhook http://events:12000/solve`

// requestMessage is one line of refresh's output.
type requestMessage struct {
	Type string `json:"type"`
	persistence.SolverRequest
}

func runRefresh(ctx context.Context, e *env, args []string) error {
	fs := e.flags("refresh", refreshUsage)
	count := fs.Int("count", 100, "most requests of each kind per solver")
	cooldown := fs.Duration("cooldown", 24*time.Hour, "leave out requests made less than this ago")
	var kinds stringList
	fs.Var(&kinds, "kind", "only this kind of request (repeatable): unresolved-package, unrevsolved-package, si-unanalyzed-package")
	webhook := fs.String("webhook", "", "POST the requests to this URL, in batches of 100")
	noStore := fs.Bool("no-store", false, "do not write solver-requests/<time>.json to the document store")
	dryRun := fs.Bool("dry-run", false, "list the requests without recording, storing or posting them")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	if *count < 1 {
		return usageError{fmt.Sprintf("--count %d: want at least 1", *count)}
	}
	for _, k := range kinds {
		switch k {
		case persistence.RequestUnresolved, persistence.RequestUnrevsolved, persistence.RequestSIUnanalyzed:
		default:
			return usageError{fmt.Sprintf("--kind %q: want unresolved-package, unrevsolved-package or si-unanalyzed-package", k)}
		}
	}
	if *webhook != "" && !strings.HasPrefix(*webhook, "http://") && !strings.HasPrefix(*webhook, "https://") {
		return usageError{fmt.Sprintf("--webhook %q: want an http:// or https:// URL", *webhook)}
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	opts := persistence.RefreshOptions{Count: *count, Cooldown: *cooldown, Now: time.Now().UTC()}
	if len(kinds) > 0 {
		opts.Kinds = kinds
	}
	for _, name := range c.Solvers {
		env, err := persistence.ParseSolverName(name)
		if err != nil {
			return persistence.Errorf(persistence.CodeInvalid, "SESHAT_SOLVERS: %s", persistence.ErrorMessage(err))
		}
		opts.Environments = append(opts.Environments, env)
	}
	store, err := e.openStore(ctx, c, e.logger(c), nil)
	if err != nil {
		return err
	}
	defer store.Close()
	reqs, err := store.SolverRequests(ctx, opts)
	if err != nil {
		return err
	}
	msgs := make([]requestMessage, len(reqs))
	enc := json.NewEncoder(e.stdout)
	for i, r := range reqs {
		msgs[i] = requestMessage{Type: r.Kind, SolverRequest: r}
		if err := enc.Encode(msgs[i]); err != nil {
			return err
		}
	}
	if *dryRun || len(reqs) == 0 {
		fmt.Fprintf(e.stderr, "refresh: %d requests%s\n", len(reqs), map[bool]string{true: " (dry run: nothing recorded)"}[*dryRun])
		return nil
	}
	if !*noStore {
		docs, err := e.openDocs(ctx, c, true)
		if err != nil {
			return err
		}
		raw, err := json.MarshalIndent(map[string]any{"requested_at": opts.Now, "requests": msgs}, "", "  ")
		if err != nil {
			return err
		}
		key := "solver-requests/" + opts.Now.Format("2006-01-02T15:04:05.000000Z") + ".json"
		if err := docs.Put(ctx, key, raw); err != nil {
			return fmt.Errorf("store %s: %w", key, err)
		}
		fmt.Fprintf(e.stderr, "refresh: stored %s\n", key)
	}
	if *webhook != "" {
		if err := postRequests(ctx, *webhook, msgs); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "refresh: posted %d requests to %s\n", len(msgs), *webhook)
	}
	if err := store.RecordSolverRequests(ctx, reqs, opts.Now); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "refresh: %d requests recorded\n", len(reqs))
	return nil
}

// webhookRetry is how a batch the webhook refuses is tried again.
var webhookRetry = persistence.Retry{Attempts: 5, Base: 200 * time.Millisecond, Cap: 5 * time.Second}

// errRetryable marks a webhook answer worth another try.
var errRetryable = errors.New("retryable")

// postRequests POSTs msgs to url in batches of 100, each retried with
// backoff on a transport error or a 5xx; a 4xx fails at once.
func postRequests(ctx context.Context, url string, msgs []requestMessage) error {
	client := &http.Client{Timeout: 30 * time.Second}
	for start := 0; start < len(msgs); start += 100 {
		batch := msgs[start:min(start+100, len(msgs))]
		body, err := json.Marshal(map[string]any{"requests": batch})
		if err != nil {
			return err
		}
		err = webhookRetry.Do(ctx, func() error {
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
			if err != nil {
				return err
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				return fmt.Errorf("%w: %v", errRetryable, err)
			}
			resp.Body.Close()
			switch {
			case resp.StatusCode >= 500:
				return fmt.Errorf("%w: %s answered %s", errRetryable, url, resp.Status)
			case resp.StatusCode >= 300:
				return fmt.Errorf("webhook %s answered %s", url, resp.Status)
			}
			return nil
		}, func(err error) bool { return errors.Is(err, errRetryable) }, nil)
		if err != nil {
			return fmt.Errorf("webhook: batch %d of %d requests: %w", start/100+1, len(batch), err)
		}
	}
	return nil
}
