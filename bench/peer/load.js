'use strict'
// load.js drives one closed-loop load run with autocannon and prints one JSON
// line: completed requests, requests/s, latency percentiles (ms), errors.
//
//   node load.js <url> <body-file> <connections> <seconds> [expected-body-file]
//
// With an expected body, a response that differs counts as a mismatch, so a
// fast error page can never pass for throughput.
const fs = require('fs')
const autocannon = require('autocannon')
const { decodeHist } = require('autocannon/lib/histUtil')

const [url, bodyFile, connections, seconds, expectFile] = process.argv.slice(2)
const opts = {
  url,
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/json' },
  body: fs.readFileSync(bodyFile, 'utf8'),
  connections: Number(connections),
  duration: Number(seconds),
  // A slow answer under 64 clients is a latency, not a failure.
  timeout: 60,
  skipAggregateResult: true
}
if (expectFile) opts.expectBody = fs.readFileSync(expectFile, 'utf8')

autocannon(opts, (err, res) => {
  if (err) {
    console.error(err)
    process.exit(1)
  }
  const h = decodeHist(res.latencies)
  const ok = res.totalCompletedRequests - res.mismatches
  console.log(JSON.stringify({
    completed: res.totalCompletedRequests,
    seconds: res.duration,
    rps: ok / res.duration,
    p50: h.getValueAtPercentile(50),
    p95: h.getValueAtPercentile(95),
    p99: h.getValueAtPercentile(99),
    max: h.maxValue,
    errors: res.errors,
    timeouts: res.timeouts,
    mismatches: res.mismatches,
    non2xx: res.non2xx
  }))
})
