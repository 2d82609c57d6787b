package bench

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// CPUSplit is the CPU time (user and system) the processes of one
// measurement used, by party.
type CPUSplit struct {
	// Postgres is the backends serving the measured database (its
	// connections and autovacuum on it; the cluster's shared background
	// processes, the WAL writer and checkpointer, are not counted).
	Postgres time.Duration
	// Sync is the `seshat sync` child process's own (its rusage).
	Sync time.Duration
	// MinIO is the MinIO server's, whatever asked it (nothing else should).
	MinIO time.Duration
}

// Total is the CPU time of the three.
func (c CPUSplit) Total() time.Duration { return c.Postgres + c.Sync + c.MinIO }

// backendCPUTime is the CPU time a single-threaded process (a PostgreSQL
// backend) has used so far: the scheduler's own count in nanoseconds
// (/proc/<pid>/schedstat, which is the main thread's only), else statCPU.
// 0 when pid is gone.
func backendCPUTime(pid int) time.Duration {
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/schedstat", pid)); err == nil {
		if f := strings.Fields(string(b)); len(f) > 0 {
			if ns, err := strconv.ParseInt(f[0], 10, 64); err == nil {
				return time.Duration(ns)
			}
		}
	}
	return statCPU(pid)
}

// listenerPID returns the process listening on the TCP port of endpoint
// ("host:port", or a URL) on this machine, 0 when none is found: the
// socket's inode from /proc/net/tcp{,6}, then the process holding it.
func listenerPID(endpoint string) int {
	if _, rest, ok := strings.Cut(endpoint, "://"); ok {
		endpoint = rest
	}
	_, portText, err := net.SplitHostPort(strings.TrimSuffix(endpoint, "/"))
	if err != nil {
		return 0
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return 0
	}
	inodes := map[string]bool{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(table)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			// sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode
			fields := strings.Fields(sc.Text())
			if len(fields) < 10 || fields[3] != "0A" { // LISTEN
				continue
			}
			_, hexPort, ok := strings.Cut(fields[1], ":")
			if p, err := strconv.ParseInt(hexPort, 16, 32); ok && err == nil && int(p) == port {
				inodes["socket:["+fields[9]+"]"] = true
			}
		}
		f.Close()
	}
	if len(inodes) == 0 {
		return 0
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/fd")
	for _, dir := range procs {
		fds, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			if link, err := os.Readlink(filepath.Join(dir, fd.Name())); err == nil && inodes[link] {
				pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
				return pid
			}
		}
	}
	return 0
}

// backendCPU follows the CPU time of the PostgreSQL backends serving one
// database, which come and go with their connections: it lists them
// (pg_stat_activity, over a connection of its own to the database, which it
// leaves out) and reads each one's CPU time every interval until Stop. A
// backend that exits between two readings loses at most one interval of
// CPU time.
type backendCPU struct {
	mu     sync.Mutex
	first  map[int]time.Duration // CPU time when first seen, 0 for those that started after Start
	last   map[int]time.Duration
	stop   chan struct{}
	done   chan struct{}
	closer func()
}

// startBackendCPU starts following the backends of the database at dbURL;
// those already running count from now.
func startBackendCPU(ctx context.Context, dbURL string, interval time.Duration) (*backendCPU, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	b := &backendCPU{first: map[int]time.Duration{}, last: map[int]time.Duration{},
		stop: make(chan struct{}), done: make(chan struct{}), closer: func() { conn.Close(context.WithoutCancel(ctx)) }}
	pids := func() []int {
		rows, err := conn.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)
		if err != nil {
			return nil
		}
		out, _ := pgx.CollectRows(rows, pgx.RowTo[int32])
		ints := make([]int, len(out))
		for i, p := range out {
			ints[i] = int(p)
		}
		return ints
	}
	for _, pid := range pids() {
		c := backendCPUTime(pid)
		b.first[pid], b.last[pid] = c, c
	}
	go func() {
		defer close(b.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-b.stop:
				return
			case <-t.C:
			}
			for _, pid := range pids() {
				c := backendCPUTime(pid)
				b.mu.Lock()
				if _, seen := b.first[pid]; !seen {
					b.first[pid] = 0
				}
				b.last[pid] = max(b.last[pid], c)
				b.mu.Unlock()
			}
		}
	}()
	return b, nil
}

// Stop ends the readings and returns the CPU time the backends used since
// the start.
func (b *backendCPU) Stop() time.Duration {
	close(b.stop)
	<-b.done
	b.closer()
	b.mu.Lock()
	defer b.mu.Unlock()
	var total time.Duration
	for pid, last := range b.last {
		total += last - b.first[pid]
	}
	return total
}

// loadAverage is /proc/loadavg's 1-minute figure, -1 when unreadable.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return -1
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return -1
	}
	return v
}
