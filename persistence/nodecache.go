package persistence

import "sync"

// nodeCache keeps the ids of the shared nodes solver documents name —
// package indexes, packages, environments, solvers and versions — as
// committed transactions wrote or read them, so that a document whose
// nodes are all known writes none of them again: nearly every version a
// solver document names (the versions its requirements resolve to) is
// already in the graph, and upserting them was a third of a document's
// work in the database. It is right because nothing deletes those rows
// (documents' facts go, the nodes stay) and an id is cached only once the
// transaction that saw it has committed. Its size is bounded (see
// boundedIDs), so memory stays flat over any number of documents.
type nodeCache struct {
	mu       sync.Mutex
	indexes  boundedIDs[string]
	packages boundedIDs[string]
	envs     boundedIDs[EnvironmentKey]
	solvers  boundedIDs[[2]string]
	versions boundedIDs[versionKey]
}

// nodeCacheSize bounds each kind of node in the cache: at most twice as
// many entries are kept (about 10 MB of versions).
const nodeCacheSize = 1 << 15

func newNodeCache() *nodeCache {
	return &nodeCache{
		indexes: newBoundedIDs[string](nodeCacheSize), packages: newBoundedIDs[string](nodeCacheSize),
		envs: newBoundedIDs[EnvironmentKey](nodeCacheSize), solvers: newBoundedIDs[[2]string](nodeCacheSize),
		versions: newBoundedIDs[versionKey](nodeCacheSize),
	}
}

// nodeIDs are the ids of the nodes one document names, by key.
type nodeIDs struct {
	indexes, packages   map[string]int64
	versions            map[versionKey]int64
	environment, solver int64
}

// lookup fills ids with the cached ids of urls, names, the environment, the
// solver and versions, and returns what the cache did not know.
func (c *nodeCache) lookup(ids *nodeIDs, urls, names []string, env EnvironmentKey, solver [2]string, versions map[versionKey]bool) (missURLs, missNames []string, missEnv, missSolver bool, missVersions map[versionKey]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, u := range urls {
		if id, ok := c.indexes.get(u); ok {
			ids.indexes[u] = id
		} else {
			missURLs = append(missURLs, u)
		}
	}
	for _, n := range names {
		if id, ok := c.packages.get(n); ok {
			ids.packages[n] = id
		} else {
			missNames = append(missNames, n)
		}
	}
	if id, ok := c.envs.get(env); ok {
		ids.environment = id
	} else {
		missEnv = true
	}
	if id, ok := c.solvers.get(solver); ok {
		ids.solver = id
	} else {
		missSolver = true
	}
	missVersions = map[versionKey]bool{}
	for k := range versions {
		if id, ok := c.versions.get(k); ok {
			ids.versions[k] = id
		} else {
			missVersions[k] = true
		}
	}
	return missURLs, missNames, missEnv, missSolver, missVersions
}

// add caches ids, read or written by a transaction that has committed.
func (c *nodeCache) add(ids *nodeIDs, env EnvironmentKey, solver [2]string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, id := range ids.indexes {
		c.indexes.put(k, id)
	}
	for k, id := range ids.packages {
		c.packages.put(k, id)
	}
	if ids.environment != 0 {
		c.envs.put(env, ids.environment)
	}
	if ids.solver != 0 {
		c.solvers.put(solver, ids.solver)
	}
	for k, id := range ids.versions {
		c.versions.put(k, id)
	}
}

// boundedIDs is a map bounded the cheap way: entries go into the current
// generation; when it holds size entries it becomes the previous one and
// the one before is dropped. A hit in the previous generation moves the
// entry to the current one, so what is used stays. At most 2 x size
// entries.
type boundedIDs[K comparable] struct {
	size      int
	cur, prev map[K]int64
}

func newBoundedIDs[K comparable](size int) boundedIDs[K] {
	return boundedIDs[K]{size: size, cur: map[K]int64{}, prev: map[K]int64{}}
}

func (g *boundedIDs[K]) get(k K) (int64, bool) {
	if id, ok := g.cur[k]; ok {
		return id, true
	}
	id, ok := g.prev[k]
	if ok {
		g.put(k, id)
	}
	return id, ok
}

func (g *boundedIDs[K]) put(k K, id int64) {
	if _, ok := g.cur[k]; !ok && len(g.cur) >= g.size {
		g.prev, g.cur = g.cur, make(map[K]int64, g.size)
	}
	g.cur[k] = id
}
