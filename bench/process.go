package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Process is a server the benchmarks started (seshat serve, PostGraphile)
// with its memory sampled while it runs.
type Process struct {
	Name string
	URL  string // base URL, http://127.0.0.1:port
	cmd  *exec.Cmd
	log  *bytes.Buffer
	done chan struct{}

	mu      sync.Mutex
	peakRSS int64 // bytes, the largest sum over the process tree seen
	stop    chan struct{}
}

// FreePort returns a loopback port nobody listens on right now.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Start runs argv with env added to the current environment, waits until
// GET base+readyPath answers 200 (any status when anyStatus; at most
// timeout) and samples its RSS every 100 ms until Stop.
func Start(ctx context.Context, name string, port int, readyPath string, anyStatus bool, timeout time.Duration, env []string, argv ...string) (*Process, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &syncWriter{w: &log}, &syncWriter{w: &log}
	// Its own process group, so PostGraphile's cluster workers stop with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &Process{Name: name, URL: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, log: &log,
		done: make(chan struct{}), stop: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.done) }()
	deadline := time.Now().Add(timeout)
	for {
		resp, err := http.Get(p.URL + readyPath)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK || anyStatus {
				break
			}
		}
		select {
		case <-p.done:
			return nil, fmt.Errorf("%s exited before it was ready:\n%s", name, tail(log.String(), 2000))
		case <-ctx.Done():
			p.Stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.Stop()
			return nil, fmt.Errorf("%s not ready after %s:\n%s", name, timeout, tail(log.String(), 2000))
		}
	}
	go p.sample()
	return p, nil
}

// sample records the peak resident memory of the process and its children.
func (p *Process) sample() {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		if rss := treeRSS(p.cmd.Process.Pid); rss > 0 {
			p.mu.Lock()
			p.peakRSS = max(p.peakRSS, rss)
			p.mu.Unlock()
		}
		select {
		case <-p.stop:
			return
		case <-p.done:
			return
		case <-t.C:
		}
	}
}

// ResetPeak forgets the peak RSS seen so far (after start-up and warm-up).
func (p *Process) ResetPeak() {
	p.mu.Lock()
	p.peakRSS = treeRSS(p.cmd.Process.Pid)
	p.mu.Unlock()
}

// PeakRSS is the largest resident set size (bytes) sampled since the last
// ResetPeak, summed over the process and its children.
func (p *Process) PeakRSS() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.peakRSS
}

// RSS is the resident set size (bytes) of the process tree now.
func (p *Process) RSS() int64 { return treeRSS(p.cmd.Process.Pid) }

// Stop sends SIGTERM to the process group and waits (SIGKILL after 15 s).
func (p *Process) Stop() {
	select {
	case <-p.stop:
		return
	default:
		close(p.stop)
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

// Log is what the process wrote so far.
func (p *Process) Log() string { return p.log.String() }

// treeRSS sums VmRSS over pid and its descendants (bytes).
func treeRSS(pid int) int64 {
	total := statusKB(pid, "VmRSS") * 1024
	for _, c := range children(pid) {
		total += treeRSS(c)
	}
	return total
}

// CPU is the CPU time (user and system) the process and its descendants
// have used so far.
func (p *Process) CPU() time.Duration { return treeCPU(p.cmd.Process.Pid) }

// treeCPU sums utime and stime over pid and its descendants (alive ones:
// a child that exited is not counted).
func treeCPU(pid int) time.Duration {
	total := statCPU(pid)
	for _, c := range children(pid) {
		total += treeCPU(c)
	}
	return total
}

// statCPU is the utime and stime of pid, all its threads (those that
// exited too), from /proc/<pid>/stat; 0 when pid is gone.
func statCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command, which may hold spaces, in parentheses.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) <= 12 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * time.Second / clockTicks
}

// clockTicks is Linux's USER_HZ, the unit of /proc/<pid>/stat's times.
const clockTicks = 100

// statusKB reads a "kB" field of /proc/<pid>/status.
func statusKB(pid int, field string) int64 {
	v := procField(fmt.Sprintf("/proc/%d/status", pid), field)
	n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(v, "kB")), 10, 64)
	return n
}

// children lists the direct children of pid (every thread's list).
func children(pid int) []int {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return nil
	}
	var out []int
	for _, t := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pid, t.Name()))
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// PostGraphQL posts a GraphQL query to url and returns the body; a non-200
// status or an "errors" member is an error.
func PostGraphQL(ctx context.Context, client *http.Client, url, body string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return b, fmt.Errorf("%s: HTTP %d: %s", url, resp.StatusCode, tail(string(b), 500))
	}
	if bytes.Contains(b[:min(len(b), 64)], []byte(`"errors"`)) || bytes.Contains(b, []byte(`"errors":[`)) {
		return b, errors.New("GraphQL errors: " + tail(string(b), 500))
	}
	return b, nil
}

// StreamGraphQL posts a GraphQL query to url and reads the response to its
// last byte without keeping it, as a client decoding it as it arrives would;
// it returns the bytes read. A non-200 status or an "errors" member at the
// start of the body (where the gateway writes it, before data) is an error.
func StreamGraphQL(ctx context.Context, client *http.Client, url, body string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	head := make([]byte, 64)
	n, err := io.ReadFull(resp.Body, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return int64(n), err
	}
	head = head[:n]
	if resp.StatusCode != http.StatusOK || bytes.Contains(head, []byte(`"errors"`)) {
		rest, _ := io.ReadAll(io.LimitReader(resp.Body, 500))
		return int64(n), fmt.Errorf("%s: HTTP %d: %s", url, resp.StatusCode, string(head)+string(rest))
	}
	m, err := io.CopyBuffer(io.Discard, resp.Body, make([]byte, 256<<10))
	return int64(n) + m, err
}

// Counter reads one Prometheus counter (no labels) from base+/metrics.
func Counter(ctx context.Context, client *http.Client, base, name string) (float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	return 0, fmt.Errorf("metric %s not found at %s/metrics", name, base)
}

// RequestStatements posts body to the gateway at base once and returns the
// SQL statements it cost, from the gateway's seshat_sql_statements_total.
func RequestStatements(ctx context.Context, client *http.Client, base, body string) (float64, error) {
	before, err := Counter(ctx, client, base, "seshat_sql_statements_total")
	if err != nil {
		return 0, err
	}
	if _, err := StreamGraphQL(ctx, client, base+"/graphql", body); err != nil {
		return 0, err
	}
	after, err := Counter(ctx, client, base, "seshat_sql_statements_total")
	return after - before, err
}

// TimeRequests posts body to the gateway at base iters times and returns
// the distribution of the round trips.
func TimeRequests(ctx context.Context, client *http.Client, base, body string, iters int) (Dist, error) {
	return timeCalls(iters, requestCall(ctx, client, base, body))
}

// requestCall is one request of body to the gateway at base, its answer
// read to the last byte and not kept.
func requestCall(ctx context.Context, client *http.Client, base, body string) func() error {
	return func() error {
		_, err := StreamGraphQL(ctx, client, base+"/graphql", body)
		return err
	}
}
