/**
 * The V8 flags the agent's Node runs with, wherever it is started: the artifact's
 * bin/attestor-agent, the container image's entry point and `npm start` (a spec checks that
 * all three say the same).
 *
 * `--optimize-for-size`: V8 otherwise sizes its young generation from the host's memory (on a
 * 24 GiB host, semi-spaces of up to 64 MiB) and grows the old one eagerly, and a long-lived
 * agent keeps what a burst made it take. Measured by `npm run bench` on the release agent
 * with 1,000 FetchX509SVID streams open, re-issued and rotated: 275 to 348 MiB RSS without
 * it, 219 to 246 MiB with --max-semi-space-size=2 alone, 174 to 198 MiB with it.
 * What it costs: cold attestations at 64 in flight about half as fast (3,400/s to 1,500/s),
 * cached ones about 10% slower (25,000/s to 23,000/s), both far above what a host's
 * workloads ask for.
 */
export const AGENT_NODE_FLAGS: readonly string[] = ['--optimize-for-size'];

/**
 * The environment the agent's Node starts with, in the same three places (an operator's own
 * value wins: each sets it only when it is unset).
 *
 * `MALLOC_ARENA_MAX=2`: glibc gives each thread that contends for the heap an arena of its
 * own, up to eight per core, and memory freed into one is kept for that arena. Node's
 * threads (V8's compiler and GC helpers, libuv's pool) make several. Measured by
 * `npm run bench` (the stream figures, two runs without and three with): with 1,000
 * FetchX509SVID streams open 148 to 154 MiB instead of 154 to 155, after they were all
 * re-issued 150 to 162 instead of 162 to 164.
 */
export const AGENT_ENVIRONMENT: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };
