// Runs every graphql-http server audit against the GraphQL endpoint given as
// the first argument and prints one line per audit and a summary. Exits 1
// when any MUST or SHOULD audit fails (MAY audits are reported only).
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs http://host:port/graphql');
  process.exit(2);
}

const counts = {};
const failed = [];
for (const audit of serverAudits({ url })) {
  const level = audit.name.split(' ')[0] === 'MAY' ? 'MAY' : audit.name.split(' ')[0];
  const result = await audit.fn();
  const ok = result.status === 'ok';
  counts[level] ??= { ok: 0, failed: 0 };
  counts[level][ok ? 'ok' : 'failed']++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${audit.id} ${audit.name}`);
  if (!ok) {
    console.log(`       ${result.status}: ${result.reason}`);
    if (level === 'MUST' || level === 'SHOULD') failed.push(audit);
  }
}

console.log('\ngraphql-http audit summary:');
for (const level of ['MUST', 'SHOULD', 'MAY']) {
  const c = counts[level] ?? { ok: 0, failed: 0 };
  console.log(`  ${level.padEnd(6)} ${c.ok} passed, ${c.failed} failed`);
}
if (failed.length > 0) {
  console.log(`${failed.length} MUST/SHOULD audit(s) failed`);
  process.exit(1);
}
console.log('every MUST and SHOULD audit passed');
