package dataset

import (
	"fmt"
	"strings"
)

// known is a package of the real Python ecosystem the generator always
// includes, in popularity order (the first ones get the most dependents).
type known struct {
	name     string   // as published ("PyYAML", "typing_extensions")
	releases int      // release count at full scale
	summary  string   // core-metadata Summary
	license  string   // core-metadata License
	requires []string // requirements, "name", "name[extra]", "name; <marker kind>" or "name; extra=<x>"
}

// knownPackages is the fixed head of every generated ecosystem. Requirements
// name other known packages; a marker kind (see markerKinds) follows a
// semicolon, an extra that gates the requirement is written "extra=<x>".
var knownPackages = []known{
	{"six", 30, "Python 2 and 3 compatibility utilities", "MIT", nil},
	{"setuptools", 120, "Easily download, build, install, upgrade, and uninstall Python packages", "MIT", nil},
	{"numpy", 80, "NumPy is the fundamental package for array computing with Python.", "BSD", nil},
	{"urllib3", 60, "HTTP library with thread-safe connection pooling, file post, and more.", "MIT", []string{
		"pyOpenSSL; extra=secure", "cryptography; extra=secure", "idna; extra=secure", "certifi; extra=secure",
		"PySocks; extra=socks", "brotli; extra=brotli"}},
	{"certifi", 25, "Python package for providing Mozilla's CA Bundle.", "MPL-2.0", nil},
	{"idna", 20, "Internationalized Domain Names in Applications (IDNA)", "BSD-like", nil},
	{"chardet", 15, "Universal encoding detector for Python 2 and 3", "LGPL", nil},
	{"wheel", 35, "A built-package format for Python", "MIT", nil},
	{"requests", 50, "Python HTTP for Humans.", "Apache 2.0", []string{
		"urllib3", "certifi", "chardet; py<3.9", "idna",
		"PySocks; extra=socks", "pyOpenSSL; extra=security", "cryptography; extra=security"}},
	{"typing_extensions", 15, "Backported and Experimental Type Hints for Python 3.5+", "PSF", nil},
	{"pyparsing", 30, "Python parsing module", "MIT License", nil},
	{"packaging", 25, "Core utilities for Python packages", "BSD-2-Clause or Apache-2.0", []string{"pyparsing"}},
	{"attrs", 25, "Classes Without Boilerplate", "MIT", []string{"pytest; extra=tests", "hypothesis; extra=tests"}},
	{"python-dateutil", 25, "Extensions to the standard Python datetime module", "Dual License", []string{"six"}},
	{"pytz", 60, "World timezone definitions, modern and historical", "MIT", nil},
	{"protobuf", 60, "Protocol Buffers", "3-Clause BSD License", []string{"six", "setuptools"}},
	{"PyYAML", 20, "YAML parser and emitter for Python", "MIT", nil},
	{"zipp", 25, "Backport of pathlib-compatible object wrapper for zip files", "MIT", []string{"pytest; extra=testing"}},
	{"importlib-metadata", 45, "Read metadata from Python packages", "Apache Software License", []string{
		"zipp", "typing-extensions; py<3.8", "pytest; extra=testing", "packaging; extra=testing"}},
	{"MarkupSafe", 20, "Safely add untrusted strings to HTML/XML markup.", "BSD-3-Clause", nil},
	{"Jinja2", 30, "A very fast and expressive template engine.", "BSD-3-Clause", []string{"MarkupSafe", "Babel; extra=i18n"}},
	{"click", 30, "Composable command line interface toolkit", "BSD-3-Clause", []string{"colorama; win32", "importlib-metadata; py<3.8"}},
	{"pyasn1", 25, "ASN.1 types and codecs", "BSD", nil},
	{"rsa", 25, "Pure-Python RSA implementation", "ASL 2", []string{"pyasn1"}},
	{"cachetools", 20, "Extensible memoizing collections and decorators", "MIT", nil},
	{"pyasn1-modules", 20, "A collection of ASN.1-based protocols modules.", "BSD-2-Clause", []string{"pyasn1"}},
	{"google-auth", 60, "Google Authentication Library", "Apache 2.0", []string{
		"cachetools", "pyasn1-modules", "rsa", "setuptools", "six", "requests; extra=requests", "pyOpenSSL; extra=pyopenssl"}},
	{"oauthlib", 20, "A generic, spec-compliant, thorough implementation of the OAuth request-signing logic", "BSD", []string{
		"cryptography; extra=signedtoken"}},
	{"requests-oauthlib", 15, "OAuthlib authentication support for Requests.", "ISC", []string{"oauthlib", "requests"}},
	{"google-auth-oauthlib", 12, "Google Authentication Library", "Apache 2.0", []string{"google-auth", "requests-oauthlib"}},
	{"Werkzeug", 40, "The comprehensive WSGI web application library.", "BSD-3-Clause", []string{"dataclasses; py<3.8", "watchdog; extra=watchdog"}},
	{"Markdown", 30, "Python implementation of Markdown.", "BSD License", []string{"importlib-metadata; py<3.8"}},
	{"grpcio", 60, "HTTP/2-based RPC framework", "Apache License 2.0", []string{"six"}},
	{"absl-py", 25, "Abseil Python Common Libraries", "Apache 2.0", []string{"six"}},
	{"h5py", 25, "Read and write HDF5 files from Python", "BSD", []string{"numpy", "cached-property; py<3.8"}},
	{"wrapt", 25, "Module for decorators, wrappers and monkey patching.", "BSD", nil},
	{"termcolor", 5, "ANSII Color formatting for output in terminal.", "MIT", nil},
	{"gast", 12, "Python AST that abstracts the underlying Python version", "BSD 3-Clause", nil},
	{"astunparse", 6, "An AST unparser for Python", "BSD", []string{"wheel", "six"}},
	{"opt-einsum", 10, "Optimizing numpys einsum function", "MIT", []string{"numpy", "sphinx; extra=docs", "pytest; extra=tests"}},
	{"flatbuffers", 8, "The FlatBuffers serialization format for Python", "Apache 2.0", nil},
	{"google-pasta", 6, "pasta is an AST-based Python refactoring library", "Apache 2.0", []string{"six"}},
	{"Keras-Preprocessing", 8, "Easy data preprocessing and data augmentation for deep learning models", "MIT", []string{
		"numpy", "six", "pytest; extra=tests", "Pillow; extra=image", "scipy; extra=image"}},
	{"keras", 30, "Deep learning for humans.", "Apache 2.0", nil},
	{"tensorflow-estimator", 20, "TensorFlow Estimator.", "Apache 2.0", nil},
	{"tensorboard-data-server", 4, "Fast data loading for TensorBoard", "Apache 2.0", nil},
	{"tensorboard-plugin-wit", 6, "What-If Tool TensorBoard plugin.", "Apache 2.0", nil},
	{"clang", 6, "libclang python bindings", "UNKNOWN", nil},
	{"tensorboard", 30, "TensorBoard lets you watch Tensors Flow", "Apache 2.0", []string{
		"absl-py", "grpcio", "google-auth", "google-auth-oauthlib", "Markdown", "numpy", "protobuf", "requests",
		"setuptools", "tensorboard-data-server", "tensorboard-plugin-wit", "Werkzeug", "wheel"}},
	{"tensorflow", 0, "TensorFlow is an open source machine learning framework for everyone.", "Apache 2.0", []string{
		"absl-py", "astunparse", "clang", "flatbuffers", "gast", "google-pasta", "grpcio", "h5py", "keras",
		"Keras-Preprocessing", "numpy", "opt-einsum", "protobuf", "six", "tensorboard", "tensorflow-estimator",
		"termcolor", "typing-extensions", "wheel", "wrapt"}},
	// The rest of the ecosystem: not reachable from tensorflow by default.
	{"colorama", 25, "Cross-platform colored terminal text.", "BSD", nil},
	{"dataclasses", 6, "A backport of the dataclasses module for Python 3.6", "Apache", nil},
	{"cached-property", 10, "A decorator for caching properties in classes.", "BSD", nil},
	{"watchdog", 30, "Filesystem events monitoring", "Apache License 2.0", []string{"PyYAML; extra=watchmedo"}},
	{"pycparser", 12, "C parser in Python", "BSD", nil},
	{"cffi", 30, "Foreign Function Interface for Python calling C code.", "MIT", []string{"pycparser"}},
	{"cryptography", 50, "cryptography is a package which provides cryptographic recipes and primitives to Python developers.", "BSD or Apache License, Version 2.0", []string{
		"cffi", "sphinx; extra=docs", "pytest; extra=test"}},
	{"pyOpenSSL", 25, "Python wrapper module around the OpenSSL library", "Apache License, Version 2.0", []string{"cryptography", "six"}},
	{"PySocks", 8, "A Python SOCKS client module.", "BSD", nil},
	{"brotli", 8, "Python bindings for the Brotli compression library", "MIT", nil},
	{"Babel", 25, "Internationalization utilities", "BSD", []string{"pytz"}},
	{"itsdangerous", 15, "Safely pass data to untrusted environments and back.", "BSD-3-Clause", nil},
	{"Flask", 0, "A simple framework for building complex web applications.", "BSD-3-Clause", []string{
		"Werkzeug", "Jinja2", "itsdangerous", "click", "python-dotenv; extra=dotenv", "asgiref; extra=async"}},
	{"python-dotenv", 20, "Read key-value pairs from a .env file and set them as environment variables", "BSD-3-Clause", []string{"click; extra=cli"}},
	{"asgiref", 20, "ASGI specs, helper code, and adapters", "BSD", []string{"typing-extensions; py<3.8"}},
	{"iniconfig", 4, "iniconfig: brain-dead simple config-ini parsing", "MIT License", nil},
	{"toml", 10, "Python Library for Tom's Obvious, Minimal Language", "MIT", nil},
	{"py", 25, "library with cross-python path, ini-parsing, io, code, log facilities", "MIT license", nil},
	{"pluggy", 20, "plugin and hook calling mechanisms for python", "MIT license", []string{
		"importlib-metadata; py<3.8", "pytest; extra=testing"}},
	{"pytest", 60, "pytest: simple powerful testing with Python", "MIT license", []string{
		"attrs", "iniconfig", "packaging", "pluggy", "py", "toml", "colorama; win32", "importlib-metadata; py<3.8",
		"hypothesis; extra=testing", "mock; extra=testing"}},
	{"hypothesis", 60, "A library for property-based testing", "MPL v2", []string{"attrs", "sortedcontainers"}},
	{"sortedcontainers", 15, "Sorted Containers -- Sorted List, Sorted Dict, Sorted Set", "Apache 2.0", nil},
	{"mock", 15, "Rolling backport of unittest.mock for all Pythons", "OSI Approved :: BSD License", []string{"six"}},
	{"docutils", 15, "Docutils -- Python Documentation Utilities", "public domain, Python, 2-Clause BSD, GPL 3 (see COPYING.txt)", nil},
	{"Pygments", 30, "Pygments is a syntax highlighting package written in Python.", "BSD License", nil},
	{"alabaster", 10, "A configurable sidebar-enabled Sphinx theme", "UNKNOWN", nil},
	{"imagesize", 8, "Getting image size from png/jpeg/jpeg2000/gif file", "MIT", nil},
	{"snowballstemmer", 8, "This package provides 29 stemmers for 28 languages generated from Snowball algorithms.", "BSD-3-Clause", nil},
	{"sphinx", 60, "Python documentation generator", "BSD", []string{
		"sphinxcontrib-applehelp", "Jinja2", "Pygments", "docutils", "snowballstemmer", "Babel", "alabaster",
		"imagesize", "requests", "packaging", "setuptools", "colorama; win32", "pytest; extra=test"}},
	// sphinxcontrib-applehelp and sphinx require each other: a real cycle.
	{"sphinxcontrib-applehelp", 6, "sphinxcontrib-applehelp is a Sphinx extension which outputs Apple help books", "BSD", []string{
		"sphinx", "pytest; extra=test"}},
	{"scipy", 40, "SciPy: Scientific Library for Python", "BSD", []string{"numpy"}},
	{"pandas", 60, "Powerful data structures for data analysis, time series, and statistics", "BSD", []string{
		"numpy", "python-dateutil", "pytz", "pytest; extra=test", "hypothesis; extra=test"}},
	{"Pillow", 50, "Python Imaging Library (Fork)", "HPND", nil},
	{"cycler", 6, "Composable style cycles", "BSD", []string{"six"}},
	{"kiwisolver", 12, "A fast implementation of the Cassowary constraint solver", "BSD", nil},
	{"matplotlib", 50, "Python plotting package", "PSF", []string{"cycler", "kiwisolver", "numpy", "Pillow", "pyparsing", "python-dateutil"}},
	{"tqdm", 60, "Fast, Extensible Progress Meter", "MPLv2.0, MIT Licences", []string{"colorama; win32", "py-make; extra=dev"}},
	{"py-make", 4, "Makefile execution powered by pure Python", "MPLv2.0, MIT Licences", nil},
	{"decorator", 20, "Decorators for Humans", "new BSD License", nil},
	{"simplejson", 40, "Simple, fast, extensible JSON encoder/decoder for Python", "MIT License", nil},
}

// fixedReleases pins the release lists of the named roots, whatever the scale.
var fixedReleases = map[string][]string{
	"six": {"1.4.1", "1.5.2", "1.6.1", "1.7.3", "1.8.0", "1.9.0", "1.10.0", "1.11.0", "1.12.0", "1.13.0", "1.14.0",
		"1.15.0", "1.16.0"},
	"tensorflow": {"2.0.0", "2.0.1", "2.1.0", "2.1.1", "2.2.0", "2.3.0", "2.3.1", "2.4.0rc0", "2.4.0", "2.4.1",
		"2.5.0rc0", "2.5.0", "2.5.1", "2.6.0rc0", "2.6.0rc1", "2.6.0", "2.6.1", "2.7.0rc0", "2.7.0"},
	"flask": {"0.12.5", "1.0", "1.0.4", "1.1.1", "1.1.2", "1.1.4", "2.0.0rc1", "2.0.0rc2", "2.0.0", "2.0.1", "2.0.2"},
}

// secondIndexReleases are the releases of the named roots also built on the second index.
var secondIndexReleases = map[string]map[string]bool{
	"tensorflow": {"2.1.0": true, "2.2.0": true, "2.3.0": true, "2.4.0": true, "2.5.0": true, "2.6.0": true},
}

var (
	adjectives = []string{"agile", "amber", "ancient", "arctic", "azure", "bold", "brave", "bright", "calm", "clever",
		"cosmic", "crimson", "crisp", "dapper", "deep", "eager", "electric", "fancy", "fast", "fluent",
		"frozen", "gentle", "golden", "grand", "happy", "hidden", "humble", "iron", "jolly", "keen",
		"lazy", "lively", "lucky", "lunar", "mellow", "mighty", "nimble", "noble", "odd", "plain",
		"proud", "quick", "quiet", "rapid", "rusty", "silent", "silver", "simple", "smart", "solar",
		"steady", "swift", "tidy", "tiny", "vivid", "wild", "wise", "young", "zesty", "zen"}
	nouns = []string{"ant", "badger", "beacon", "bridge", "cache", "canvas", "cipher", "cloud", "comet", "core",
		"crane", "daemon", "delta", "engine", "falcon", "fern", "forge", "fox", "gateway", "grid",
		"harbor", "hash", "heron", "kernel", "kite", "lantern", "ledger", "lens", "loom", "matrix",
		"meadow", "mesh", "nexus", "orbit", "otter", "parser", "pipe", "pixel", "prism", "queue",
		"quill", "raven", "relay", "river", "router", "sail", "schema", "shell", "signal", "socket",
		"spark", "stream", "tensor", "thread", "tokenizer", "vector", "walrus", "widget", "yak", "zebra"}
	topics = []string{"parsing", "HTTP clients", "configuration files", "data validation", "caching", "plotting",
		"serialisation", "logging", "testing", "command line interfaces", "scheduling", "image processing",
		"numerical kernels", "templating", "cryptography", "database access", "async I/O", "text processing"}
	licenses = []string{"MIT", "BSD", "Apache 2.0", "Apache Software License", "BSD-3-Clause", "MIT License",
		"GPLv3", "LGPL", "MPL-2.0", "PSF", "UNKNOWN"}
	classifiers = []string{"Development Status :: 4 - Beta", "Development Status :: 5 - Production/Stable",
		"Intended Audience :: Developers", "Intended Audience :: Science/Research",
		"Operating System :: OS Independent", "Operating System :: POSIX :: Linux",
		"Programming Language :: Python :: 3", "Programming Language :: Python :: 3 :: Only",
		"Programming Language :: Python :: 3.6", "Programming Language :: Python :: 3.7",
		"Programming Language :: Python :: 3.8", "Programming Language :: Python :: 3.9",
		"Topic :: Software Development :: Libraries :: Python Modules", "Topic :: Scientific/Engineering"}
	extraNames = []string{"tests", "docs", "dev", "socks", "security", "async", "cli", "all"}
)

// generatedName is the n-th generated package name, unique for every n. A few
// use capitals, underscores or dots, as published names do; all differ once
// normalised.
func generatedName(n int) string {
	a := adjectives[n%len(adjectives)]
	b := nouns[(n/len(adjectives))%len(nouns)]
	name := a + "-" + b
	if round := n / (len(adjectives) * len(nouns)); round > 0 {
		name = fmt.Sprintf("%s%d", name, round+1)
	}
	switch n % 17 {
	case 3:
		name = strings.ReplaceAll(name, "-", "_")
	case 7:
		name = strings.ToUpper(name[:1]) + name[1:]
	case 11:
		name = strings.ReplaceAll(name, "-", ".")
	}
	return name
}
